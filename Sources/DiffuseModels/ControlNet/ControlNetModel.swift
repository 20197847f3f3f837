#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCore
import DiffuseNN

/// diffusers `ControlNetModel` (models/controlnets/controlnet.py) for SD 1.x / 2.x and SDXL: a trained
/// copy of the UNet's encoder (`UNetEncoder`: time embedding, conv_in, down blocks, mid block, under the
/// UNet's keys) that also sees a control image (edges, depth, pose) and returns residuals for the UNet's
/// skip connections:
///
///     temb   = time embedding (+ SDXL's added embedding)          as the UNet
///     h      = conv_in(sample) + controlnet_cond_embedding(image)  [B, C0, h, w]
///     h, skips = down_blocks, mid_block                            as the UNet
///     down_i = controlnet_down_blocks[i](skips[i]) · scale         1×1 convs ("zero convolutions")
///     mid    = controlnet_mid_block(h) · scale                     1×1 conv
///
/// Computation is in the weights' compute dtype (`WeightStore.dtype`, f32 when nil), like the UNet's.
public final class ControlNetModel: AttentionLayers, Sendable {
    public let config: ControlNetConfig
    public let dtype: DType
    public let backend: any Backend
    /// Parameters in the checkpoint (361 M for an SD 1.5 ControlNet), for the memory prediction.
    public let parameterCount: Int
    let encoder: UNetEncoder
    let condEmbedding: ControlNetConditioningEmbedding
    /// One 1×1 conv per skip connection of the down path (conv_in's, then each block's layers and downsampler).
    let downProjections: [Conv2d]
    let midProjection: Conv2d

    /// Builds the ControlNet from an open `WeightStore` whose keys are diffusers' (a folder, or a single
    /// file converted by DiffuseSources) and runs the store's key check. Throws a `ConfigError` for a config
    /// Diffuse cannot run and a `WeightLoadError` listing every missing, unused and mismatched key.
    public init(config: ControlNetConfig, weights: WeightStore, backend: any Backend) throws {
        try config.validateSupported()
        self.config = config
        dtype = weights.dtype ?? .f32
        self.backend = backend
        parameterCount = weights.storedDTypes.values.reduce(0, +)
        let root = WeightScope(weights, backend: backend)
        let unet = config.unet
        encoder = UNetEncoder(root, config: unet, dtype: dtype, backend: backend)
        let channels = unet.blockOutChannels
        condEmbedding = ControlNetConditioningEmbedding(root["controlnet_cond_embedding"], imageChannels: config.conditioningChannels,
                                                        widths: config.conditioningEmbeddingOutChannels, outChannels: channels[0])
        // The skip connections' widths: conv_in's C0, then per block its layers (and its downsampler but the last's)
        let layers = unet.layersPerBlockList
        var skipWidths = [channels[0]]
        for i in channels.indices {
            skipWidths += Array(repeating: channels[i], count: layers[i] + (i < channels.count - 1 ? 1 : 0))
        }
        downProjections = skipWidths.enumerated().map { i, c in
            Conv2d(root["controlnet_down_blocks"][i], inChannels: c, outChannels: c, kernel: 1)
        }
        midProjection = Conv2d(root["controlnet_mid_block"], inChannels: channels[channels.count - 1],
                               outChannels: channels[channels.count - 1], kernel: 1)
        try weights.finish()
    }

    /// Every attention layer (down blocks, then mid block), named as diffusers names them.
    public var attentionLayers: [Attention] { encoder.downAttentionLayers + encoder.midAttentionLayers }

    /// Whether `forward` needs `added:` (an SDXL ControlNet).
    public var requiresAddedConditions: Bool { config.unet.requiresAddedConditions }

    /// The control image's size for latents of `latentHeight` × `latentWidth`.
    public func controlImageSize(latentHeight: Int, latentWidth: Int) -> (height: Int, width: Int) {
        (latentHeight << config.conditioningDownsamplings, latentWidth << config.conditioningDownsamplings)
    }

    /// The residuals of one denoising step.
    /// - Parameters:
    ///   - sample, timestep, encoderHiddenStates, added: what the UNet gets this step (the scaled latents
    ///     [B, 4, h, w], …), checked as the UNet checks them.
    ///   - controlImage: [B, conditioning_channels, h·2ᵏ, w·2ᵏ] in [0, 1] (diffusers' `control_image_processor`:
    ///     resized, not normalised), k = `conditioningDownsamplings`; for "bgr" models in RGB order (flipped here).
    ///   - scale: `controlnet_conditioning_scale` for this step.
    ///   - guessMode: diffusers' `guess_mode`: the residuals scaled from 0.1 · scale (the first skip) up to
    ///     scale (the mid block), `torch.logspace(-1, 0, n + 1)`, so the ControlNet steers without a prompt.
    /// - Returns: residuals in the compute dtype, multiplied by `scale`.
    public func forward(sample: Tensor, timestep: Tensor, encoderHiddenStates: Tensor, controlImage: Tensor,
                        scale: Float, guessMode: Bool = false, added: UNetAddedConditions? = nil) throws -> ControlNetResiduals {
        try encoder.checkInputs(sample: sample, timestep: timestep, encoderHiddenStates: encoderHiddenStates, added: added)
        let batch = sample.size(0)
        let expected = controlImageSize(latentHeight: sample.size(2), latentWidth: sample.size(3))
        guard controlImage.rank == 4, controlImage.size(0) == batch, controlImage.size(1) == config.conditioningChannels,
              controlImage.size(2) == expected.height, controlImage.size(3) == expected.width else {
            throw UNetInputError(argument: "controlImage", message:
                "has shape \(controlImage.shape); expected [\(batch), \(config.conditioningChannels), \(expected.height), \(expected.width)] "
                + "(the batch of the latents, the image size they decode to)")
        }
        let context = backend.cast(encoderHiddenStates, to: dtype)
        let temb = encoder.timeEmbedding(timestep, batch: batch, added: added, observe: nil)

        // [B, 4, h, w] → [B, C0, h, w], plus the control image's embedding [B, C0, h, w]
        var image = backend.cast(encoder.onDevice(controlImage), to: dtype)
        if config.channelOrder == "bgr" {
            image = backend.concat(image.chunked(config.conditioningChannels, dim: 1).reversed(), dim: 1)
        }
        let h0 = backend.add(encoder.convIn(backend.cast(sample, to: dtype)), condEmbedding(image))
        let (h, skips) = try encoder.downAndMid(h0, temb: temb, context: context, observe: nil)
        require(skips.count == downProjections.count, "ControlNet: \(skips.count) skips for \(downProjections.count) projections")

        // 1×1 projections of every skip and of the mid output, times the scale (guess mode: one per residual)
        let scales = guessMode ? Self.guessModeScales(count: skips.count + 1).map { $0 * scale }
                               : Array(repeating: scale, count: skips.count + 1)
        let down = zip(skips, downProjections).enumerated().map { i, pair in backend.scale(pair.1(pair.0), by: scales[i]) }
        return ControlNetResiduals(down: down, mid: backend.scale(midProjection(h), by: scales[skips.count]))
    }

    /// `torch.logspace(-1, 0, count)` in f32: 10^x over torch's linspace from −1 to 0 (its two halves
    /// stepped from either end).
    static func guessModeScales(count: Int) -> [Float] {
        guard count > 1 else { return [1] }
        let step = Float(1) / Float(count - 1)
        return (0..<count).map { i in
            let x: Float = i < count / 2 ? -1 + Float(i) * step : 0 - Float(count - 1 - i) * step
            return powf(10, x)
        }
    }
}

import DiffuseCore
import DiffuseNN

/// diffusers `AutoencoderKL` (models/autoencoders/autoencoder_kl.py): the Stable Diffusion VAE.
///
///     encode: image → encoder → quant_conv → (mean, logvar)       (DiagonalGaussianDistribution, vae.py)
///     decode: latents → post_quant_conv → decoder → image
///
/// Like diffusers' `vae.decode`, `decode` takes *unscaled* latents: the pipeline passes
/// `latents / scalingFactor` (`latents / scalingFactor + shiftFactor` for VAEs that have a shift), and
/// turns a sampled encoding z into UNet latents as `scalingFactor · z` (`scalingFactor · (z − shiftFactor)`).
/// Images are [B, C, H, W] in [-1, 1]. Tiling and slicing: `AutoencoderKL+Tiling.swift`.
///
/// Computation happens in the dtype chosen at load (`dtype`); inputs are converted to it and outputs
/// come back in it. diffusers' `force_upcast` (run the VAE in f32 when the pipeline is f16) is the
/// caller's decision: `config.forceUpcast` says what diffusers would do.
public final class AutoencoderKL: AttentionLayers, Sendable {
    /// Receives the output of named submodules during `encode` / `decode`, with diffusers' module
    /// names (`encoder.down_blocks.0`, `decoder.mid_block`, `quant_conv`, …), to localise a difference
    /// from a reference. Costs nothing when nil.
    public typealias Observer = (_ module: String, _ output: Tensor) -> Void

    public let config: AutoencoderKLConfig
    /// The compute dtype (weights were converted to it at load).
    public let dtype: DType
    public let backend: any Backend
    /// Parameters per dtype as stored in the checkpoint (for `diffuse inspect`).
    public let storedDTypes: [DType: Int]

    let encoder: Encoder
    let decoder: Decoder
    let quantConv: Conv2d?
    let postQuantConv: Conv2d?

    /// GroupNorm / resnet epsilon everywhere in diffusers' VAE `Encoder` and `Decoder`.
    static let normEps: Float = 1e-6

    /// Builds the model from `weights` (keys as in diffusers' `diffusion_pytorch_model.safetensors`,
    /// `encoder.…`, `decoder.…`, `quant_conv.…`, `post_quant_conv.…`). Throws the config's first
    /// unsupported value (`ConfigError`, naming key and value) before reading any weight, and after
    /// building, one `WeightLoadError` listing every missing, unused and mis-shaped key.
    /// `computeDType` overrides the compute dtype (the pipeline's f16 mode: f16 weights, f32 activations;
    /// each op widens its weights as it reads them).
    public init(config: AutoencoderKLConfig, weights: WeightStore, backend: any Backend,
                computeDType: DType? = nil) throws {
        try config.validateSupported()
        let root = WeightScope(weights, backend: backend)
        self.config = config
        // nil = each tensor kept as stored: compute in that dtype if there is one, else in f32.
        dtype = computeDType ?? weights.dtype
            ?? (weights.storedDTypes.count == 1 ? weights.storedDTypes.keys.first! : .f32)
        self.backend = backend
        storedDTypes = weights.storedDTypes
        encoder = Encoder(root["encoder"], config: config)
        decoder = Decoder(root["decoder"], config: config)
        let latent = config.latentChannels
        quantConv = config.useQuantConv
            ? Conv2d(root["quant_conv"], inChannels: 2 * latent, outChannels: 2 * latent, kernel: 1)
            : nil
        postQuantConv = config.usePostQuantConv
            ? Conv2d(root["post_quant_conv"], inChannels: latent, outChannels: latent, kernel: 1)
            : nil
        try weights.finish()
    }

    /// `config.scaling_factor`: latents for the UNet are `scalingFactor · (z − shiftFactor)`.
    public var scalingFactor: Float { Float(config.scalingFactor) }
    /// `config.shift_factor` (nil for SD 1.x / 2.x).
    public var shiftFactor: Float? { config.shiftFactor.map { Float($0) } }
    /// Pixels per latent along each side (`2^(len(block_out_channels) − 1)`; 8 for SD).
    public var vaeScaleFactor: Int { config.scaleFactor }

    /// Every attention layer: `encoder.mid_block.attentions.0`, `decoder.mid_block.attentions.0`.
    public var attentionLayers: [Attention] { encoder.midBlock.attentions + decoder.midBlock.attentions }

    /// image [B, in_channels, H, W] → the posterior's `mean` and `logvar`, each [B, latent_channels,
    /// ⌊H/f⌋, ⌊W/f⌋] (f = `vaeScaleFactor`; each down-sampling halves, rounding down, as in diffusers).
    /// `logvar` is clamped to [-30, 20] as diffusers' `DiagonalGaussianDistribution` does.
    public func encode(_ image: Tensor, observe: Observer? = nil) throws -> (mean: Tensor, logvar: Tensor) {
        let posterior = try latentDistribution(image, observe: observe)
        return (mean: posterior.mean, logvar: posterior.logvar)
    }

    /// `encode` as diffusers returns it (`vae.encode(image).latent_dist`), for sampling latents
    /// (image-to-image: `latentDistribution(image).sample(noise:)`, then × `scalingFactor`).
    public func latentDistribution(_ image: Tensor, observe: Observer? = nil) throws -> DiagonalGaussianDistribution {
        try AutoencoderError.checkImageLike(image, role: "image", channels: config.inChannels, method: "encode")
        return DiagonalGaussianDistribution(moments: try moments(image, observe: observe), backend: backend)
    }

    /// diffusers' `_encode`: image [B, in, H, W] → moments [B, 2 · latent, h, w] (mean and log-variance,
    /// before the distribution clamps the latter).
    func moments(_ image: Tensor, observe: Observer? = nil) throws -> Tensor {
        var moments = try encoder(backend.cast(image, to: dtype), observe: observe)
        if let quantConv {
            moments = quantConv(moments)
            observe?("quant_conv", moments)
        }
        return moments
    }

    /// Unscaled latents [B, latent_channels, h, w] → image [B, out_channels, h·f, w·f] (about [-1, 1]).
    /// Divide the UNet's latents by `scalingFactor` first, as diffusers' pipelines do.
    public func decode(_ latents: Tensor, observe: Observer? = nil) throws -> Tensor {
        try AutoencoderError.checkImageLike(latents, role: "latents", channels: config.latentChannels,
                                              method: "decode")
        return try decodeWhole(latents, observe: observe)
    }

    /// diffusers' `_decode` without tiling: post_quant_conv, then the decoder.
    func decodeWhole(_ latents: Tensor, observe: Observer? = nil) throws -> Tensor {
        var z = backend.cast(latents, to: dtype)
        if let postQuantConv {
            z = postQuantConv(z)
            observe?("post_quant_conv", z)
        }
        return try decoder(z, observe: observe)
    }
}

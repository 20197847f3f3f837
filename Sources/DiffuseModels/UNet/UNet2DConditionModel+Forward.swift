import DiffuseCore
import DiffuseNN

/// The forward pass of `UNet2DConditionModel` (diffusers `UNet2DConditionModel.forward`, without the
/// ControlNet / adapter / added-embedding arguments, which SD 1.x / 2.x do not use).
extension UNet2DConditionModel {
    /// One denoising step's model output.
    /// - Parameters:
    ///   - sample: noisy latents [B, in_channels, H, W], any H, W ≥ 1 (when not multiples of
    ///     2^`resolutionLevels`, each up-sampler resizes to its skip connection's size, as diffusers does).
    ///   - timestep: a scalar ([] or [1]), shared by the batch, or one per batch element ([B]); any
    ///     numeric dtype (diffusers passes int64 timesteps, schedulers like Euler fractional ones).
    ///   - encoderHiddenStates: text-encoder output [B, L, cross_attention_dim] (L = 77 for CLIP).
    ///   - observe: called with diffusers' module names (`time_proj`, `time_embedding`, `conv_in`,
    ///     `down_blocks.<i>`, `mid_block`, `up_blocks.<i>`, `conv_norm_out`, `conv_act`) and their outputs
    ///     (for blocks returning tuples, the hidden states), to localise differences from diffusers.
    /// - Returns: [B, out_channels, H, W] in the model's dtype (ε or v, as the model was trained).
    public func forward(sample: Tensor, timestep: Tensor, encoderHiddenStates: Tensor,
                        observe: ((String, Tensor) -> Void)? = nil) throws -> Tensor {
        try checkInputs(sample: sample, timestep: timestep, encoderHiddenStates: encoderHiddenStates)
        let batch = sample.size(0)
        let context = backend.cast(encoderHiddenStates, to: dtype)

        // Time embedding: [B] → t_emb [B, C0] (f32, cast to the compute dtype as diffusers does) → temb [B, 4·C0]
        let timesteps = backend.contiguous(timestep.reshaped([-1]).expanded(to: [batch]))
        let tEmb = backend.cast(timeProj(timesteps), to: dtype)
        observe?("time_proj", tEmb)
        let temb = timeEmbedding(tEmb)
        observe?("time_embedding", temb)

        // [B, Cin, H, W] → [B, C0, H, W]
        var h = convIn(backend.cast(sample, to: dtype))
        observe?("conv_in", h)

        // Down: [B, C0, H, W] → [B, Cn−1, H/2ⁿ⁻¹, W/2ⁿ⁻¹], keeping every skip connection (conv_in's first).
        var skips = [h]
        for (i, block) in downBlocks.enumerated() {
            let out = try block(h, temb: temb, context: context)
            h = out.hidden
            skips += out.skips
            observe?("down_blocks.\(i)", h)
        }

        // Mid: same shape.
        h = try midBlock(h, temb: temb, context: context)
        observe?("mid_block", h)

        // Up: [B, Cn−1, H/2ⁿ⁻¹, W/2ⁿ⁻¹] → [B, C0, H, W], consuming the skips last first. diffusers'
        // `forward_upsample_size`: when a side is not a multiple of 2^levels, the stride-2 convs rounded
        // it up (⌈H/2⌉), so each up-sampler resizes to the matching skip instead of doubling.
        let factor = 1 << resolutionLevels
        let forwardUpsampleSize = sample.size(2) % factor != 0 || sample.size(3) % factor != 0
        for (i, block) in upBlocks.enumerated() {
            h = try block(h, skips: &skips, temb: temb, context: context, forwardUpsampleSize: forwardUpsampleSize)
            observe?("up_blocks.\(i)", h)
        }
        require(skips.isEmpty, "UNet: \(skips.count) skip connections left over")

        // Out: GroupNorm + SiLU (fused unless someone watches the two separately), conv → [B, out, H, W]
        if let observe {
            let normed = convNormOut(h)
            observe("conv_norm_out", normed)
            h = backend.activation(normed, .silu)
            observe("conv_act", h)
        } else {
            h = convNormOut(h, silu: true)
        }
        return convOut(h)
    }

    /// `forward` with one timestep value for the whole batch.
    public func forward(sample: Tensor, timestep: Float, encoderHiddenStates: Tensor) throws -> Tensor {
        try forward(sample: sample, timestep: backend.full([1], value: timestep), encoderHiddenStates: encoderHiddenStates)
    }

    /// `forward` with one timestep per batch element.
    public func forward(sample: Tensor, timesteps: [Float], encoderHiddenStates: Tensor) throws -> Tensor {
        try forward(sample: sample, timestep: Tensor(timesteps, shape: [timesteps.count]),
                    encoderHiddenStates: encoderHiddenStates)
    }

    /// Shapes a forward pass needs; each failure names the argument, the shape and what was expected.
    func checkInputs(sample: Tensor, timestep: Tensor, encoderHiddenStates: Tensor) throws {
        guard sample.rank == 4, sample.size(1) == config.inChannels, sample.dtype.isFloatingPoint else {
            throw UNetInputError(argument: "sample", message:
                "has shape \(sample.shape) (\(sample.dtype)); expected floating [B, \(config.inChannels), H, W]")
        }
        let batch = sample.size(0)
        guard batch > 0, sample.size(2) > 0, sample.size(3) > 0 else {
            throw UNetInputError(argument: "sample", message:
                "has shape \(sample.shape); batch, height and width must be positive")
        }
        guard timestep.rank <= 1, timestep.count == 1 || timestep.count == batch else {
            throw UNetInputError(argument: "timestep", message:
                "has shape \(timestep.shape); expected a scalar, [1] or one per batch element [\(batch)]")
        }
        let textWidths = Set(config.crossAttentionDims)
        guard encoderHiddenStates.rank == 3, encoderHiddenStates.size(0) == batch,
              textWidths.contains(encoderHiddenStates.size(2)), encoderHiddenStates.dtype.isFloatingPoint else {
            throw UNetInputError(argument: "encoderHiddenStates", message:
                "has shape \(encoderHiddenStates.shape); expected [\(batch), L, \(textWidths.sorted().map(String.init).joined(separator: " or "))] "
                + "(batch of the sample, cross_attention_dim of the config)")
        }
    }
}

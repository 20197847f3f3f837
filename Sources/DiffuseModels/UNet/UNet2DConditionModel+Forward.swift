import DiffuseCore
import DiffuseNN

/// The forward pass of `UNet2DConditionModel` (diffusers `UNet2DConditionModel.forward`, with SDXL's
/// `added_cond_kwargs` and ControlNet's `down_block_additional_residuals` /
/// `mid_block_additional_residual`; without the T2I-adapter arguments).
extension UNet2DConditionModel {
    /// One denoising step's model output.
    /// - Parameters:
    ///   - sample: noisy latents [B, in_channels, H, W], any H, W ≥ 1 (when not multiples of
    ///     2^`resolutionLevels`, each up-sampler resizes to its skip connection's size, as diffusers does).
    ///   - timestep: a scalar ([] or [1]), shared by the batch, or one per batch element ([B]); any
    ///     numeric dtype (diffusers passes int64 timesteps, schedulers like Euler fractional ones).
    ///   - encoderHiddenStates: text-encoder output [B, L, cross_attention_dim] (L = 77 for CLIP).
    ///   - added: SDXL's `added_cond_kwargs` (text embeds [B, P], time ids [B, n]); required exactly when
    ///     `requiresAddedConditions` (`addition_embed_type: "text_time"`), else it must be nil.
    ///   - control: a ControlNet's residuals (`ControlNetModel.forward`), added to the skip connections and
    ///     to the mid block's output; nil: none.
    ///   - observe: called with diffusers' module names (`time_proj`, `time_embedding`, SDXL's
    ///     `add_time_proj` and `add_embedding`, `conv_in`, `down_blocks.<i>`, `mid_block`, `up_blocks.<i>`,
    ///     `conv_norm_out`, `conv_act`) and their outputs (for blocks returning tuples, the hidden states),
    ///     to localise differences from diffusers.
    /// - Returns: [B, out_channels, H, W] in the model's dtype (ε or v, as the model was trained).
    /// - Throws: `UNetInputError` naming the argument whose shape does not fit (or `added` missing or
    ///   unexpected).
    public func forward(sample: Tensor, timestep: Tensor, encoderHiddenStates: Tensor,
                        added: UNetAddedConditions? = nil, control: ControlNetResiduals? = nil,
                        observe: ((String, Tensor) -> Void)? = nil) throws -> Tensor {
        try encoder.checkInputs(sample: sample, timestep: timestep, encoderHiddenStates: encoderHiddenStates, added: added)
        let batch = sample.size(0)
        let context = backend.cast(encoderHiddenStates, to: dtype)

        // Time embedding: [B] → temb [B, 4·C0] (+ SDXL's added embedding)
        let temb = encoder.timeEmbedding(timestep, batch: batch, added: added, observe: observe)

        // [B, Cin, H, W] → [B, C0, H, W]
        let h0 = encoder.convIn(backend.cast(sample, to: dtype))
        observe?("conv_in", h0)

        // Down and mid: [B, C0, H, W] → [B, Cn−1, H/2ⁿ⁻¹, W/2ⁿ⁻¹], keeping every skip connection (conv_in's first).
        var (h, skips) = try encoder.downAndMid(h0, temb: temb, context: context, observe: observe)
        // ControlNet: skip_i += down_residual_i, h += mid_residual (diffusers' `is_controlnet` branch)
        if let control {
            try control.check(skips: skips, mid: h)
            skips = zip(skips, control.down).map { backend.add($0, backend.cast($1, to: dtype)) }
            h = backend.add(h, backend.cast(control.mid, to: dtype))
        }

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
    public func forward(sample: Tensor, timestep: Float, encoderHiddenStates: Tensor,
                        added: UNetAddedConditions? = nil, control: ControlNetResiduals? = nil) throws -> Tensor {
        try forward(sample: sample, timestep: backend.full([1], value: timestep), encoderHiddenStates: encoderHiddenStates,
                    added: added, control: control)
    }

    /// `forward` with one timestep per batch element.
    public func forward(sample: Tensor, timesteps: [Float], encoderHiddenStates: Tensor,
                        added: UNetAddedConditions? = nil) throws -> Tensor {
        try forward(sample: sample, timestep: Tensor(timesteps, shape: [timesteps.count]),
                    encoderHiddenStates: encoderHiddenStates, added: added)
    }
}

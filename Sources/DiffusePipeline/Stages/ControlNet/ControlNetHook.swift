import DiffuseCore
import DiffuseModels

/// The ControlNet stage of the denoising loop (diffusers' `StableDiffusionControlNetPipeline.__call__`,
/// "controlnet(s) inference"; `StableDiffusionXLControlNetPipeline` for SDXL): before every UNet call each
/// active ControlNet sees the UNet's scaled input, timestep and text (and SDXL's added conditions) with
/// its control image, and the residuals of all of them, summed in order, go to the UNet
/// (`DenoiserInputs.control`).
///
/// The control image [1, 3, H, W] is repeated over the model batch: the images of the prompt, and both
/// halves with classifier-free guidance (`torch.cat([image] * 2)`). In guess mode with guidance the
/// ControlNet sees only the conditional half and the unconditional half's residuals are zeros
/// (`torch.cat([torch.zeros_like(d), d])`). A ControlNet outside its start/end fraction is skipped:
/// diffusers runs it with scale 0, which adds exact zeros.
struct ControlNetHook: ConditioningHook, @unchecked Sendable {
    let conditions: [ControlNetCondition]
    /// Whether the model batch is [uncond; cond] (classifier-free guidance).
    let guided: Bool
    let backend: any Backend

    func prepare(_ inputs: inout DenoiserInputs, step: DenoisingStep) throws {
        let timestep = backend.full([1], value: inputs.timestep)
        // SDXL: the ControlNet takes the UNet's added conditions too (left in `extras` for the UNet)
        let added = inputs.extras["text_embeds"].flatMap { text in
            inputs.extras["time_ids"].map { UNetAddedConditions(textEmbeds: text, timeIds: $0) }
        }
        var total: ControlNetResiduals? = nil
        for condition in conditions where condition.isActive(step: step.index, of: step.count) {
            let model = condition.model
            // Guess mode with guidance: the conditional half of sample, text and added conditions only
            let half = condition.guessMode && guided
            let pick = { (t: Tensor) in half ? t.chunked(2, dim: 0)[1] : t }
            let sample = pick(inputs.sample)
            // [1, 3, H, W] → [B, 3, H, W]
            let image = condition.image
            let repeated = backend.contiguous(image.expanded(to: [sample.size(0), image.size(1), image.size(2), image.size(3)]))
            var residuals = try model.forward(sample: sample, timestep: timestep, encoderHiddenStates: pick(inputs.encoderHiddenStates),
                                              controlImage: repeated, scale: Float(condition.scale), guessMode: condition.guessMode,
                                              added: model.requiresAddedConditions
                                                  ? added.map { UNetAddedConditions(textEmbeds: pick($0.textEmbeds), timeIds: pick($0.timeIds)) }
                                                  : nil)
            if half {
                let withZeros = { (d: Tensor) in self.backend.concat([self.backend.zeros(d.shape, dtype: d.dtype), d], dim: 0) }
                residuals = ControlNetResiduals(down: residuals.down.map(withZeros), mid: withZeros(residuals.mid))
            }
            total = try total.map { try $0.adding(residuals, backend: backend) } ?? residuals
        }
        inputs.control = total
    }
}

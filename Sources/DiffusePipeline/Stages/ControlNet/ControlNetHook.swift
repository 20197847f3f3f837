import DiffuseCore
import DiffuseModels

/// The ControlNet stage of the denoising loop (diffusers' `StableDiffusionControlNetPipeline.__call__`,
/// "controlnet(s) inference"; `StableDiffusionXLControlNetPipeline` for SDXL): before every UNet call each
/// active ControlNet sees the UNet's scaled input, timestep and text (and SDXL's added conditions) with
/// its control image, and the residuals of all of them, summed in order, go to the UNet
/// (`DenoiserInputs.control`).
///
/// The control image [1, 3, H, W] is repeated over the model batch: the images of the prompt, and both
/// halves with classifier-free guidance (`torch.cat([image] * 2)`; guess mode is not supported). A
/// ControlNet outside its start/end fraction is skipped: diffusers runs it with scale 0, which adds exact
/// zeros.
struct ControlNetHook: ConditioningHook, @unchecked Sendable {
    let conditions: [ControlNetCondition]
    let backend: any Backend

    func prepare(_ inputs: inout DenoiserInputs, step: DenoisingStep) throws {
        let sample = inputs.sample
        let batch = sample.size(0)
        let timestep = backend.full([1], value: inputs.timestep)
        // SDXL: the ControlNet takes the UNet's added conditions too (left in `extras` for the UNet)
        let added = inputs.extras["text_embeds"].flatMap { text in
            inputs.extras["time_ids"].map { UNetAddedConditions(textEmbeds: text, timeIds: $0) }
        }
        var total: ControlNetResiduals? = nil
        for condition in conditions where condition.isActive(step: step.index, of: step.count) {
            let model = condition.model
            // [1, 3, H, W] → [B, 3, H, W]
            let image = condition.image
            let repeated = backend.contiguous(image.expanded(to: [batch, image.size(1), image.size(2), image.size(3)]))
            let residuals = try model.forward(sample: sample, timestep: timestep, encoderHiddenStates: inputs.encoderHiddenStates,
                                              controlImage: repeated, scale: Float(condition.scale),
                                              added: model.requiresAddedConditions ? added : nil)
            total = try total.map { try $0.adding(residuals, backend: backend) } ?? residuals
        }
        inputs.control = total
    }
}

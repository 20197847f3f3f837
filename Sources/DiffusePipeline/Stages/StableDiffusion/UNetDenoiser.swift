import DiffuseCompile
import DiffuseCore
import DiffuseSources
import DiffuseModels
import DiffuseSchedulers

/// Stage 3's model for SD 1.x / 2.x (diffusers `__call__`, "7. Denoising loop"): with guidance the
/// latents are doubled (`torch.cat([latents] * 2)`), scaled by the scheduler, run through the UNet (or
/// its compiled graph) with the hooks' extra inputs, and the two halves combined
/// (`ClassifierFreeGuidance`). The UNet's mapped weights are released when the loop is over.
public struct UNetDenoiser: Denoiser, @unchecked Sendable {
    public let unet: UNet2DConditionModel
    public let compiledUNet: CompiledUNet?
    public var hooks: [any ConditioningHook] = []
    let backend: any Backend
    let residentWeights: ResidentWeights

    public func predict(_ latents: Tensor, step: DenoisingStep, conditioning: Conditioning, guidance: Float,
                        scheduler: any Scheduler) throws -> Tensor {
        // [N, C, h, w] → [2N, C, h, w] with guidance
        let input = conditioning.guided ? backend.concat([latents, latents], dim: 0) : latents
        var inputs = DenoiserInputs(sample: try scheduler.scaleModelInput(input, timestep: step.timestep, on: backend),
                                    timestep: Float(step.timestep), encoderHiddenStates: conditioning.embeddings,
                                    extras: conditioning.extras)
        for hook in hooks + conditioning.hooks { try hook.prepare(&inputs, step: step) }
        try concatenateInpaintingInputs(&inputs)
        let added = try addedConditions(&inputs.extras)
        guard inputs.extras.isEmpty else {
            throw PipelineError(.unsupportedModel, "this UNet takes no extra conditioning (got \(inputs.extras.keys.sorted()))")
        }
        let output = try compiledUNet.map { try $0(sample: inputs.sample, timestep: inputs.timestep,
                                                     encoderHiddenStates: inputs.encoderHiddenStates, added: added,
                                                     control: inputs.control) }
            ?? unet.forward(sample: inputs.sample, timestep: inputs.timestep,
                            encoderHiddenStates: inputs.encoderHiddenStates, added: added, control: inputs.control)
        let prediction = backend.cast(output, to: .f32)
        // [2N, C, h, w] → [N, C, h, w]: u + g·(c − u)
        return conditioning.guided ? ClassifierFreeGuidance.combine(prediction, scale: guidance, backend: backend) : prediction
    }

    public func finished() { residentWeights.release(.unet) }

    /// A 9-channel inpainting UNet's input (diffusers' inpainting loop): `cat([sample, mask,
    /// masked_image_latents], dim=1)` [B, 2C + 1, h, w], from the extras `InpaintingLatents` set. Nothing for
    /// any other UNet.
    func concatenateInpaintingInputs(_ inputs: inout DenoiserInputs) throws {
        guard unet.config.inChannels == 2 * unet.config.outChannels + 1 else { return }
        guard let mask = inputs.extras.removeValue(forKey: InpaintingInputs.maskKey),
              let masked = inputs.extras.removeValue(forKey: InpaintingInputs.maskedImageLatentsKey) else {
            throw PipelineError(.invalidConfiguration, "this UNet is an inpainting model (in_channels \(unet.config.inChannels)): give an init image and a mask (--init-image, --mask)")
        }
        let dtype = inputs.sample.dtype
        inputs.sample = backend.concat([inputs.sample, backend.cast(mask, to: dtype), backend.cast(masked, to: dtype)], dim: 1)
    }

    /// SDXL's `added_cond_kwargs` taken out of `extras` (`text_embeds` [B, P], `time_ids` [B, n]) for a
    /// UNet that needs them; nil for any other UNet.
    func addedConditions(_ extras: inout [String: Tensor]) throws -> UNetAddedConditions? {
        guard unet.requiresAddedConditions else { return nil }
        guard let textEmbeds = extras.removeValue(forKey: "text_embeds"),
              let timeIds = extras.removeValue(forKey: "time_ids") else {
            throw PipelineError(.unsupportedModel, "this UNet (addition_embed_type \"text_time\", SDXL) needs text_embeds and time_ids, which the prompt stage did not give; load it with text_encoder_2")
        }
        return UNetAddedConditions(textEmbeds: textEmbeds, timeIds: timeIds)
    }
}

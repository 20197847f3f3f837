import DiffuseCore

/// Inpainting with an ordinary 4-channel UNet (diffusers `StableDiffusionInpaintPipeline`'s denoising loop
/// when `num_channels_unet == 4`): after every step the kept region is replaced by the init image's
/// latents noised to the next timestep (`init_latents_proper`; the last step uses them clean), blended by
/// the latent mask: `(1 − init_mask) · init_latents_proper + init_mask · latents`.
struct InpaintingBlend: LatentStepHook, @unchecked Sendable {
    /// [N, C, h, w]: the init image's scaled latents, and the noise of the run's start.
    let imageLatents: Tensor
    let noise: Tensor
    /// [N, 1, h, w]: 1 = repaint (`mask`), and 1 − mask (`keep`).
    let mask: Tensor
    let keep: Tensor

    func afterStep(_ latents: Tensor, step: DenoisingStep, run: GenerationState, backend: any Backend) throws -> Tensor {
        var proper = imageLatents
        if step.index < run.timesteps.count - 1 {
            proper = try run.scheduler.addNoise(to: imageLatents, noise: noise, timestep: run.timesteps[step.index + 1], on: backend)
        }
        return backend.add(backend.mul(keep, proper), backend.mul(mask, latents))      // [N, C, h, w]
    }
}

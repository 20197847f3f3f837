import DiffuseCore

/// Stage 2 of text-to-image (diffusers `prepare_latents`): `setTimesteps(steps)`, then one `randn` for the
/// whole batch, [N, C, H/f, W/f] × `init_noise_sigma`, drawn on the host and uploaded.
public struct TextToImageLatents: LatentPreparation {
    /// Latent channels (the UNet's `in_channels`) and pixels per latent (the VAE's scale factor).
    public let channels: Int
    public let scaleFactor: Int

    public func prepare(_ run: inout GenerationState, backend: any Backend) throws {
        try run.scheduler.setTimesteps(run.config.steps)
        run.timesteps = run.scheduler.timesteps
        let shape = [run.config.imagesPerPrompt, channels, run.size.height / scaleFactor, run.size.width / scaleFactor]
        let initial = run.scheduler.initialLatents(shape: shape, random: &run.random)
        run.initialLatents = initial
        run.latents = backend.upload(initial)
    }
}

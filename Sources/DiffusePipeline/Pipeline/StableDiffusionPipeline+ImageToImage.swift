import DiffuseCore
import DiffuseSchedulers
import DiffuseSources

/// diffusers `StableDiffusionImg2ImgPipeline.__call__` (pipeline_stable_diffusion_img2img.py), for one
/// prompt and one init image.
extension StableDiffusionPipeline {
    /// Image-to-image from `config.initImage` ([1, 3, H, W] in [-1, 1]; the output has its size).
    public func imageToImage(_ config: GenerationConfiguration, callback: StepCallback? = nil) throws -> GenerationResult {
        guard let image = config.initImage else {
            throw PipelineError(.invalidConfiguration, "imageToImage: no init image given")
        }
        _ = try validate(config)
        let seed = config.seed ?? UInt64.random(in: 0..<(1 << 32))
        var random = TorchRandomSource(seed: seed)

        // 3. Prompt
        let (embeddings, warnings) = try encodePrompts(config)

        // 5. Timesteps: the last ⌊steps · strength⌋ (`get_timesteps`, `set_begin_index`)
        var scheduler = try makeScheduler(config.scheduler)
        try scheduler.setTimesteps(config.steps)
        let timesteps = scheduler.img2imgTimesteps(steps: config.steps, strength: config.strength)

        // 6. `prepare_latents`: encode [1, 3, H, W] → sample (first randn) [1, 4, h, w] × scaling_factor,
        //    repeated to [N, 4, h, w]; noise (second randn) [N, 4, h, w]; add_noise at timesteps[0].
        let posterior = try vae.latentDistribution(image.converted(to: .f32))
        releaseResidentWeights(.vae)
        let sampled = posterior.sample(noise: random.randn(posterior.mean.shape), backend: vae.backend)
        let encoded = vae.backend.scale(sampled.converted(to: .f32), by: vae.scalingFactor)
        let n = config.imagesPerPrompt
        let batch = n == 1 ? encoded : vae.backend.concat(Array(repeating: encoded, count: n), dim: 0)
        let noise = random.randn(batch.shape)
        let initial = try scheduler.addNoise(to: batch, noise: noise, timestep: timesteps[0])

        // 7. Denoising loop, decode
        let latents = try denoise(latents: initial, timesteps: timesteps, scheduler: &scheduler,
                                  embeddings: embeddings, guidance: config.guidanceScale, random: &random,
                                  callback: callback)
        let images = try decode(latents: latents)
        return GenerationResult(images: images, latents: latents, initialLatents: initial, timesteps: timesteps,
                                seed: seed, warnings: warnings)
    }
}

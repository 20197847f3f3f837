import DiffuseCore
import DiffuseSchedulers

/// diffusers `StableDiffusionPipeline.__call__` (pipeline_stable_diffusion.py), for one prompt.
extension StableDiffusionPipeline {
    /// Text-to-image (or image-to-image when `config.initImage` is set). `callback` runs after every
    /// step; returning `.cancel` stops with a `PipelineError` of kind `.cancelled`.
    public func generate(_ config: GenerationConfiguration, callback: StepCallback? = nil) throws -> GenerationResult {
        config.initImage == nil ? try textToImage(config, callback: callback) : try imageToImage(config, callback: callback)
    }

    /// Text-to-image; `config.initImage` must be nil.
    public func textToImage(_ config: GenerationConfiguration, callback: StepCallback? = nil) throws -> GenerationResult {
        guard config.initImage == nil else {
            throw PipelineError(.invalidConfiguration, "textToImage: an init image was given; call imageToImage")
        }
        let (width, height) = try validate(config)
        let seed = config.seed ?? UInt64.random(in: 0..<(1 << 32))
        var random = TorchRandomSource(seed: seed)

        // 3. Prompt: [2N, 77, hidden] ([uncond, cond]) or [N, 77, hidden]
        let (embeddings, warnings) = try encodePrompts(config)

        // 4. Timesteps
        var scheduler = try makeScheduler(config.scheduler)
        try scheduler.setTimesteps(config.steps)
        let timesteps = scheduler.timesteps

        // 5. Latents: one randn for the whole batch, [N, 4, H/f, W/f] × init_noise_sigma
        let n = config.imagesPerPrompt, f = vaeScaleFactor
        let shape = [n, unet.config.inChannels, height / f, width / f]
        let initial = scheduler.initialLatents(shape: shape, random: &random)

        // 7. Denoising loop, then decode: [N, 4, h, w] → [N, 3, H, W], downloaded to the host
        let latents = try denoise(latents: backend.upload(initial), timesteps: timesteps, scheduler: &scheduler,
                                  embeddings: embeddings, guidance: config.guidanceScale, random: &random,
                                  callback: callback)
        let images = try decode(latents: latents).toHost()
        return GenerationResult(images: images, latents: latents, initialLatents: initial, timesteps: timesteps,
                                seed: seed, warnings: warnings)
    }
}

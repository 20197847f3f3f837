import DiffuseCore
import DiffuseSources
import DiffuseModels

/// Stage 2 of image-to-image (diffusers `StableDiffusionImg2ImgPipeline`, pipeline_stable_diffusion_img2img.py):
/// the last ⌊steps · strength⌋ timesteps (`get_timesteps`, `set_begin_index`); the init image [1, 3, H, W]
/// encoded by the VAE (`retrieve_latents`: an `AutoencoderKL`'s posterior sampled with the first `randn`;
/// an `AutoencoderTiny`'s latents as they are, no draw), × `scaling_factor`, repeated to [N, C, h, w]; noise
/// (the next `randn`) added at the first timestep (`add_noise`).
public struct ImageToImageLatents: LatentPreparation, @unchecked Sendable {
    public let vae: any LatentAutoencoder
    let residentWeights: ResidentWeights

    public func prepare(_ run: inout GenerationState, backend: any Backend) throws {
        guard let image = run.config.initImage else {
            throw PipelineError(.invalidConfiguration, "image-to-image: no init image given")
        }
        let config = run.config
        try run.scheduler.setTimesteps(config.steps)
        run.timesteps = run.scheduler.img2imgTimesteps(steps: config.steps, strength: config.strength)

        let sampled = try vae.encodeLatents(backend.cast(backend.upload(image), to: .f32), tiled: config.vaeTiling) { shape in
            backend.upload(run.random.randn(shape))
        }
        residentWeights.release(.vae)
        let encoded = backend.scale(backend.cast(sampled, to: .f32), by: vae.scalingFactor)      // [1, C, h, w]
        let n = config.imagesPerPrompt
        let batch = n == 1 ? encoded : backend.concat(Array(repeating: encoded, count: n), dim: 0)
        let noise = backend.upload(run.random.randn(batch.shape))
        let initial = try run.scheduler.addNoise(to: batch, noise: noise, timestep: run.timesteps[0], on: backend)
        run.initialLatents = initial
        run.latents = initial
    }
}

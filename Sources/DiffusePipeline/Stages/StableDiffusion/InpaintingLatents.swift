import DiffuseCore
import DiffuseModels

/// Stage 2 of inpainting (diffusers `StableDiffusionInpaintPipeline`, pipeline_stable_diffusion_inpaint.py;
/// SDXL: pipeline_stable_diffusion_xl_inpaint.py, the same steps). The generator's draws, in diffusers' order:
///
/// 1. the init image [1, 3, H, W] encoded (`_encode_vae_image`: an `AutoencoderKL`'s posterior sample) ×
///    `scaling_factor`, repeated to N — only when the UNet is an ordinary 4-channel one or strength < 1;
/// 2. the noise [N, C, h, w]; the start is noise × `init_noise_sigma` at strength 1, else the image
///    latents noised at the first of the last ⌊steps · strength⌋ timesteps (`get_timesteps`);
/// 3. the masked image `image · (mask < 0.5)` encoded the same way (`prepare_mask_latents`).
///
/// The mask [1, 1, H, W] is binarized at 0.5 (`mask_processor`'s `do_binarize`) and taken to the latent
/// size by nearest-neighbour (`F.interpolate`, every f-th pixel). A 9-channel UNet gets
/// `cat([latents, mask, masked_image_latents], dim=1)` at every step (`UNetDenoiser`); a 4-channel UNet
/// ignores the masked image (its draw still happens, so the seeds line up) and `InpaintingBlend` puts the
/// kept region back after every step.
public struct InpaintingLatents: LatentPreparation, @unchecked Sendable {
    public let vae: any LatentAutoencoder
    /// The UNet's `in_channels`: latent channels (ordinary model) or 2 × latent channels + 1 (inpainting model).
    public let unetInChannels: Int
    let residentWeights: ResidentWeights

    public func prepare(_ run: inout GenerationState, backend: any Backend) throws {
        let config = run.config
        guard let image = config.initImage, let maskImage = config.maskImage else {
            throw PipelineError(.invalidConfiguration, "inpainting needs an init image and a mask")
        }
        let channels = vae.latentChannels, f = vae.vaeScaleFactor
        let inpaintingUNet = unetInChannels == 2 * channels + 1
        let (height, width) = (image.size(2), image.size(3)), (h, w) = (height / f, width / f)
        let n = config.imagesPerPrompt
        try run.scheduler.setTimesteps(config.steps)
        run.timesteps = run.scheduler.img2imgTimesteps(steps: config.steps, strength: config.strength)
        let fromNoise = config.strength == 1

        // 1. The init image's latents [N, C, h, w] (4-channel UNet, or strength < 1)
        var imageLatents: Tensor? = nil
        if !inpaintingUNet || !fromNoise {
            imageLatents = backend.repeatBatch(try encode(image, &run, backend: backend), n)
        }
        // 2. Noise [N, C, h, w] and the starting latents
        let shape = [n, channels, h, w]
        let noise = backend.upload(run.random.randn(shape))
        if fromNoise {
            run.latents = backend.scale(noise, by: run.scheduler.initNoiseSigma)
        } else {
            run.latents = try run.scheduler.addNoise(to: imageLatents!, noise: noise, timestep: run.timesteps[0], on: backend)
        }
        run.initialLatents = run.latents

        // 3. Mask [1, 1, H, W] → binarized, and the masked image [1, 3, H, W]
        let maskValues = maskImage.hostContiguous().floats().map { $0 < 0.5 ? Float(0) : 1 }
        let pixels = image.hostContiguous().floats(), plane = height * width
        let masked = Tensor((0..<(3 * plane)).map { pixels[$0] * (maskValues[$0 % plane] < 0.5 ? 1 : 0) },
                            shape: [1, 3, height, width])
        // [1, 1, H, W] → [1, 1, h, w]: pixel (y·f, x·f), as nearest interpolation by an integer factor
        let small = Tensor((0..<(h * w)).map { maskValues[($0 / w) * f * width + ($0 % w) * f] }, shape: [1, 1, h, w])
        let mask = backend.repeatBatch(backend.upload(small), n)                     // [N, 1, h, w]
        if inpaintingUNet {
            let maskedLatents = backend.repeatBatch(try encode(backend.upload(masked), &run, backend: backend), n)
            let guided = run.conditioning?.guided ?? false
            run.conditioning?.extras[InpaintingInputs.maskKey] = guided ? backend.concat([mask, mask], dim: 0) : mask
            run.conditioning?.extras[InpaintingInputs.maskedImageLatentsKey] =
                guided ? backend.concat([maskedLatents, maskedLatents], dim: 0) : maskedLatents
        } else {
            // The masked image's posterior sample is drawn and not used: only the draw matters here.
            if vae.className == "AutoencoderKL" { _ = run.random.randn([1, channels, h, w]) }
            let keep = backend.upload(Tensor(small.floats().map { 1 - $0 }, shape: [1, 1, h, w]))
            run.stepHooks.append(InpaintingBlend(imageLatents: imageLatents!, noise: noise, mask: mask,
                                                 keep: backend.repeatBatch(keep, n)))
        }
        residentWeights.release(.vae)
    }

    /// `_encode_vae_image`: image [1, 3, H, W] → latents [1, C, h, w] × `scaling_factor` (f32).
    func encode(_ image: Tensor, _ run: inout GenerationState, backend: any Backend) throws -> Tensor {
        let tiled = run.config.vaeTiling
        let sampled = try vae.encodeLatents(backend.cast(backend.upload(image), to: .f32), tiled: tiled) { shape in
            backend.upload(run.random.randn(shape))
        }
        return backend.scale(backend.cast(sampled, to: .f32), by: vae.scalingFactor)
    }
}

/// The names under which `InpaintingLatents` hands a 9-channel UNet its extra inputs
/// (`Conditioning.extras`), diffusers' variable names; `UNetDenoiser` concatenates them to the sample.
public enum InpaintingInputs {
    /// [B, 1, h, w]: 1 = repaint.
    public static let maskKey = "mask"
    /// [B, C, h, w]: the latents of the image with the repainted region set to 0 (grey).
    public static let maskedImageLatentsKey = "masked_image_latents"
}

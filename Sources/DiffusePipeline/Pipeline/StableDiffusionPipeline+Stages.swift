import DiffuseCore
import DiffuseSources

/// SD 1.x / 2.x as a `DiffusionPipeline`: its stages, and the text-to-image / image-to-image entry points
/// diffusers has as separate pipeline classes (`generate` picks by the configuration's inputs: an init
/// image and a mask → inpainting, an init image → image-to-image, else text-to-image).
extension StableDiffusionPipeline: DiffusionPipeline {
    public func latentPreparation(for config: GenerationConfiguration) throws -> any LatentPreparation {
        if config.initImage != nil, config.maskImage != nil {
            return InpaintingLatents(vae: vae, unetInChannels: unet.config.inChannels, residentWeights: residentWeights)
        }
        if config.initImage != nil { return ImageToImageLatents(vae: vae, residentWeights: residentWeights) }
        return TextToImageLatents(channels: unet.config.outChannels, scaleFactor: vaeScaleFactor)
    }

    /// Text-to-image; `config.initImage` must be nil.
    public func textToImage(_ config: GenerationConfiguration, callback: StepCallback? = nil) throws -> GenerationResult {
        guard config.initImage == nil else {
            throw PipelineError(.invalidConfiguration, "textToImage: an init image was given; call imageToImage")
        }
        return try generate(config, callback: callback)
    }

    /// Image-to-image from `config.initImage` ([1, 3, H, W] in [-1, 1]; the output has its size).
    public func imageToImage(_ config: GenerationConfiguration, callback: StepCallback? = nil) throws -> GenerationResult {
        guard config.initImage != nil else {
            throw PipelineError(.invalidConfiguration, "imageToImage: no init image given")
        }
        return try generate(config, callback: callback)
    }

    /// Unscaled decode of latents [N, C, h, w] → images [N, 3, h·f, w·f] in about [-1, 1] on the backend's
    /// device (stage 4; for previews in a step callback too).
    public func decode(latents: Tensor) throws -> Tensor { try latentDecoder.decode(latents) }

    /// Drops `component`'s memory-mapped weight pages from resident memory (see `ResidentWeights`).
    public func releaseResidentWeights(_ component: SingleFileCheckpoint.Component) {
        residentWeights.release(component)
    }

    /// The memory-mapped files behind `component`'s weights (resident only while in use).
    public func mappedWeights(_ component: SingleFileCheckpoint.Component) -> [MappedFile] {
        residentWeights.files[component] ?? []
    }
}

import DiffuseCore
import DiffuseModels
import DiffuseNN
import DiffuseSchedulers
import DiffuseSources

/// Checks of a `GenerationConfiguration` before any work: each failure is one `PipelineError` line that
/// says what to change. Needs only the model folder's configs, so a caller (the CLI) can check before
/// loading any weights; `StableDiffusionPipeline.validate(_:)` runs it with the loaded processor.
public struct GenerationLimits: Sendable {
    /// The largest side accepted, in pixels (beyond it even the VAE decoder's activations alone exceed
    /// any machine this runs on).
    public static let maximumSide = 4096
    /// The largest |guidance scale|: far past any useful value (A1111's slider stops at 30), small enough
    /// that u + g·(c − u) cannot overflow f32 (a guidance of 10³⁰⁸ gave a black image with exit 0).
    public static let maximumGuidance = 100.0
    /// The most images one configuration may ask for (a batch that large is refused by the memory
    /// prediction long before; this keeps every count the pipeline multiplies with far from overflow).
    public static let maximumImages = 10_000

    public let folder: ModelFolder
    /// The VAE that replaces the folder's (`--vae`), or nil: its numbers (pixels per latent, parameters,
    /// activations) are the ones that count then.
    public let vae: VAEFolder?
    /// The name of the UNet's attention processor (`vanilla`, `sliced(k)`, `sdpa`), which with the SDPA
    /// kernel in force decides the attention part of the memory prediction (`MemoryAttention`); nil when
    /// not known yet (counted as flash).
    public let attentionProcessor: String?
    /// How the weights are held (`Precision`), for the memory prediction.
    public let precision: Precision
    /// The weights the memory prediction counts; nil: the folder's safetensors headers
    /// (`GenerationLimits+Memory.swift`).
    public let weights: WeightFootprint?

    public init(folder: ModelFolder, vae: VAEFolder? = nil, attentionProcessor: String?, precision: Precision = .f32,
                weights: WeightFootprint? = nil) {
        self.folder = folder
        self.vae = vae
        self.attentionProcessor = attentionProcessor
        self.precision = precision
        self.weights = weights
    }

    /// Pixels per latent: `2^(len(vae.block_out_channels) − 1)`, of the replacement VAE when there is one.
    public var vaeScaleFactor: Int { vae?.config.scaleFactor ?? folder.vae.scaleFactor }

    /// Throws `PipelineError.unsupportedModel` when the replacement VAE cannot serve this model's UNet (its
    /// latent channels differ) and the config's `ConfigError` when Diffuse cannot run it. Nothing to check
    /// without one.
    public func checkVAE() throws {
        guard let vae else { return }
        try vae.config.validateSupported()
        try Self.checkLatentChannels(vae: vae.config.latentChannels, unet: folder.unet, vaePath: vae.path)
    }

    /// A VAE with `channels` latent channels can serve `unet` only if the UNet predicts that many and takes
    /// that many (or, an inpainting UNet, 2 · that + 1).
    static func checkLatentChannels(vae channels: Int, unet: UNet2DConditionConfig, vaePath: String) throws {
        guard unet.fitsLatents(channels) else {
            throw PipelineError(.unsupportedModel, "\(vaePath): this VAE has \(channels) latent channels and the model's UNet "
                + "\(unet.inChannels) in, \(unet.outChannels) out; give a VAE made for this model (TAESD for SD 1.x / 2.x, TAESDXL for SDXL)")
        }
    }

    /// Image sides must be multiples of this: the VAE factor (8 for SD 1.x / 2.x, 2 for the tiny
    /// fixtures), so that the latents have whole sides. Any latent size works in the UNet: sizes that are
    /// not multiples of 2^levels take diffusers' `upsample_size` path. `checkSize` also requires
    /// multiples of 8, as diffusers' `check_inputs` does.
    public var sizeMultiple: Int { vaeScaleFactor }

    /// Default size: the UNet's `sample_size` × `vaeScaleFactor` (512×512 for SD 1.5, 768 for SD 2.1-v).
    public var defaultSize: (width: Int, height: Int) {
        let sample = folder.unet.sampleSize ?? SampleSize(64)
        return (sample.width * vaeScaleFactor, sample.height * vaeScaleFactor)
    }

    /// The resolved (width, height) of a run, after checking everything in `config`.
    public func validate(_ config: GenerationConfiguration) throws -> (width: Int, height: Int) {
        func invalid(_ message: String) -> PipelineError { PipelineError(.invalidConfiguration, message) }
        try checkVAE()
        let train = folder.scheduler.numTrainTimesteps
        guard config.steps >= 1 else { throw invalid("steps must be at least 1, got \(config.steps)") }
        guard config.steps <= train else {
            throw invalid("steps must be at most \(train) (the scheduler's num_train_timesteps), got \(config.steps)")
        }
        guard config.guidanceScale.isFinite, abs(config.guidanceScale) <= Self.maximumGuidance else {
            throw invalid("guidance scale must be between -\(Int(Self.maximumGuidance)) and \(Int(Self.maximumGuidance)) (usual: 1–15; ≤ 1 turns guidance off), got \(config.guidanceScale)")
        }
        guard config.imagesPerPrompt >= 1, config.imagesPerPrompt <= Self.maximumImages else {
            throw invalid("images per prompt must be between 1 and \(Self.maximumImages), got \(config.imagesPerPrompt)")
        }
        let layers = folder.textEncoders.map(\.numHiddenLayers).min() ?? 1
        guard config.clipSkip >= 0, config.clipSkip < layers else {
            throw invalid("clip skip must be between 0 and \(layers - 1) (the text encoder has \(layers) layers), got \(config.clipSkip)")
        }

        if config.maskImage != nil && config.initImage == nil {
            throw invalid("a mask needs an init image: inpainting repaints the masked part of it")
        }
        if folder.unet.isInpainting && config.maskImage == nil {
            throw invalid("this UNet is an inpainting model (in_channels \(folder.unet.inChannels)): give an init image and a mask (--init-image, --mask)")
        }
        var size = defaultSize
        if let image = config.initImage {
            guard config.strength >= 0, config.strength <= 1, config.strength.isFinite else {
                throw invalid("strength must be between 0 and 1, got \(config.strength)")
            }
            guard Int(Double(config.steps) * config.strength) >= 1 else {
                throw invalid("strength \(config.strength) × \(config.steps) steps leaves no denoising step; raise the strength or the steps")
            }
            guard image.rank == 4, image.size(0) == 1, image.size(1) == 3 else {
                throw invalid("the init image must be a [1, 3, H, W] tensor, got \(image.shape)")
            }
            size = (image.size(3), image.size(2))
            if let w = config.width, w != size.width { throw invalid("width \(w) differs from the init image's width \(size.width); resize the image instead") }
            if let h = config.height, h != size.height { throw invalid("height \(h) differs from the init image's height \(size.height); resize the image instead") }
            if let mask = config.maskImage {
                guard mask.rank == 4, mask.size(0) == 1, mask.size(1) == 1 else {
                    throw invalid("the mask must be a [1, 1, H, W] tensor (RGBImage.maskTensor()), got \(mask.shape)")
                }
                guard mask.size(2) == size.height, mask.size(3) == size.width else {
                    throw invalid("the mask is \(mask.size(3))×\(mask.size(2)) but the init image \(size.width)×\(size.height); resize the mask with the image")
                }
            }
        } else {
            size = (config.width ?? size.width, config.height ?? size.height)
        }
        try validateControlNets(config, size: size)
        try checkSize(width: size.width, height: size.height, batch: config.imagesPerPrompt,
                      guidance: config.usesGuidance, vaeTiling: config.vaeTiling, limit: config.memoryLimit,
                      extraUNetParameters: config.controlNets.reduce(0) { $0 + $1.model.parameterCount })
        // The scheduler must accept the model's config (SchedulerError names the key) and the steps.
        var scheduler = try SchedulerChoice.makeScheduler(config.scheduler, timestepSpacing: config.timestepSpacing,
                                                          from: folder.scheduler)
        try scheduler.setTimesteps(config.steps)
        return size
    }

    /// Sides positive, multiples of 8 and of `sizeMultiple` (the VAE factor), ≤ `maximumSide`, and the
    /// predicted peak of the whole run (`MemoryModel`, `.pipeline`) within `limit` (nil: no memory check).
    public func checkSize(width: Int, height: Int, batch: Int = 1, guidance: Bool = true, vaeTiling: Bool = false,
                          limit: MemoryLimit? = MemoryLimit.process, extraUNetParameters: Int = 0) throws {
        let multiple = Swift.max(8, sizeMultiple) // lcm(8, power of two) = the larger
        for (name, side) in [("width", width), ("height", height)] {
            guard side > 0, side % multiple == 0 else {
                throw PipelineError(.invalidConfiguration,
                    "\(name) \(side) must be a positive multiple of \(multiple) (this model's VAE factor); try \(Swift.max(multiple, side / multiple * multiple))")
            }
            guard side <= Self.maximumSide else {
                throw PipelineError(.tooLarge, "\(name) \(side) is too large: at most \(Self.maximumSide) pixels")
            }
        }
        try checkMemory(width: width, height: height, batch: batch, guidance: guidance, vaeTiling: vaeTiling, limit: limit,
                        extraUNetParameters: extraUNetParameters)
    }
}

extension StableDiffusionPipeline {
    /// The largest side accepted (`GenerationLimits.maximumSide`).
    public static var maximumSide: Int { GenerationLimits.maximumSide }

    /// The limits of this pipeline with its current attention processor.
    public var limits: GenerationLimits {
        GenerationLimits(folder: folder, vae: vaeFolder, attentionProcessor: unet.attentionLayers.first?.processor.name ?? "vanilla",
                         precision: precision, weights: weightFootprint)
    }

    /// The resolved (width, height) of a run, after checking everything in `config`.
    public func validate(_ config: GenerationConfiguration) throws -> (width: Int, height: Int) {
        try limits.validate(config)
    }

    /// A ControlNet for this pipeline: checked against the model (`GenerationLimits.checkControlNet`), built
    /// on the UNet's backend with the UNet's attention processor. Open `weights` in the UNet's dtype
    /// (`unet.dtype`), as diffusers loads a ControlNet in the pipeline's `torch_dtype`.
    public func makeControlNet(config: ControlNetConfig, weights: WeightStore) throws -> ControlNetModel {
        try limits.checkControlNet(config, path: config.sourceFile)
        let model = try ControlNetModel(config: config, weights: weights, backend: backend)
        if let processor = attentionProcessor { try model.setAttentionProcessor(processor) }
        return model
    }
}

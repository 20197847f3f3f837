import DiffuseCompile
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseSchedulers
import DiffuseSources

/// Stable Diffusion 1.x / 2.x and SDXL text-to-image and image-to-image, matching diffusers'
/// `StableDiffusionPipeline` (pipelines/stable_diffusion/pipeline_stable_diffusion.py),
/// `StableDiffusionImg2ImgPipeline` (pipeline_stable_diffusion_img2img.py), `StableDiffusionXLPipeline`
/// and `StableDiffusionXLImg2ImgPipeline` (pipelines/stable_diffusion_xl/) for the same weights, prompt,
/// scheduler and seed. The family (`ModelFamily`) is read from the model: an SDXL folder or single file
/// (two text encoders, a `text_time` UNet) gets the SDXL prompt stage.
///
/// ```swift
/// let pipe = try StableDiffusionPipeline(folder: ModelFolder(path: "sd15"))
/// var config = GenerationConfiguration(prompt: "a photo of a cat")
/// config.seed = 0
/// let result = try pipe.textToImage(config) { step in print(step.step); return .proceed }
/// ```
/// Loading: the folder's components with `precision` (see `Precision`), the attention processor of
/// every layer set to `attention` (nil: the layers' default). `vae` replaces the folder's VAE by another
/// diffusers VAE folder — an `AutoencoderKL` or an `AutoencoderTiny` (TAESD / TAESDXL), as diffusers'
/// `StableDiffusionPipeline.from_pretrained(…, vae=AutoencoderTiny.from_pretrained(…))` — for decoding and
/// for image-to-image encoding; its weights are held as `PrecisionPolicy` says for `.vae`. With `compile`, every denoising step runs
/// the UNet through `CompiledUNet` (captured on the first step, replayed after; see DiffuseCompile). LoRA
/// adapters are merged into the weights by `setLoRAs` (StableDiffusionPipeline+LoRA.swift), which rebuilds
/// the UNet and text encoders and can be called again between runs. Not thread-safe across concurrent runs
/// with different attention processors, nor with `setLoRAs`; runs themselves share nothing mutable.
///
/// Built from stages (`DiffusionPipeline`, `StableDiffusionPipeline+Stages.swift`): `CLIPPromptEncoder`
/// (SDXL: `SDXLPromptEncoder`), `TextToImageLatents` / `ImageToImageLatents`, `UNetDenoiser`,
/// `VAELatentDecoder` — the SDXL family differs only in its prompt stage and the UNet's added conditions.
public final class StableDiffusionPipeline: @unchecked Sendable {
    public let folder: ModelFolder
    public let precision: Precision
    /// What `precision` means here: each weight's dtype, each component's backend.
    public let policy: PrecisionPolicy
    /// The backend the UNet computes with (`PrecisionPolicy.backend`: `BF16GEMMBackend` around `backend`
    /// for accelerated bf16).
    public let backend: any Backend
    /// SD 1.x / 2.x or SDXL, from the loaded components.
    public let family: ModelFamily
    /// The (first) tokenizer and text encoder; nil only for the SDXL refiner, which has just the second.
    /// The models (text encoders, UNet, compiled UNet) and the stages holding them are rebuilt by `setLoRAs`.
    public let tokenizer: CLIPTokenizer?
    public private(set) var textEncoder: CLIPTextModel?
    /// SDXL's second tokenizer and text encoder (`CLIPTextModelWithProjection`); nil for SD 1.x / 2.x.
    public let tokenizer2: CLIPTokenizer?
    public private(set) var textEncoder2: CLIPTextModel?
    public private(set) var unet: UNet2DConditionModel
    /// The folder's `AutoencoderKL`, or the replacement loaded from `vaeFolder`.
    public let vae: any LatentAutoencoder
    /// The VAE folder given to replace the model's (nil: the model's own).
    public let vaeFolder: VAEFolder?
    /// The memory-mapped weight files of each component, released stage by stage (`ResidentWeights`).
    public let residentWeights: ResidentWeights
    /// Whether a run drops each component's memory-mapped weights from resident memory once its stage is
    /// over (text encoder after the prompt, UNet after the last step, VAE after decoding). Default true:
    /// the peak is then the largest stage, not the sum; the pages come back from the page cache at the next
    /// use (measured in `docs/benchmarks.md`). Weights converted at load (held in memory) are not affected.
    public var releasesWeightsBetweenStages: Bool {
        get { residentWeights.releasesBetweenStages }
        set { residentWeights.releasesBetweenStages = newValue }
    }
    /// The compiled UNet the denoising loop calls, when built with `compile: true`.
    public private(set) var compiledUNet: CompiledUNet?
    /// The stages (`DiffusionPipeline`).
    public private(set) var promptEncoder: any PromptEncoding
    public private(set) var denoiser: any Denoiser
    public let latentDecoder: any LatentDecoding
    /// The LoRA adapters merged into the weights (`setLoRAs`); empty: the model's own weights.
    public internal(set) var loras: [LoRAAdapter] = []

    /// The stores the UNet and text encoders were built from, kept to build them again with other LoRA
    /// adapters (`setLoRAs`); never written.
    let baseWeights: [SingleFileCheckpoint.Component: WeightStore]
    /// The backend given to `init` (text encoders compute on its policy wrapper, `backend` is the UNet's).
    let baseBackend: any Backend
    let compiles: Bool
    /// The processor of `setAttentionProcessor`, set again on rebuilt models.
    var attentionProcessor: (any AttentionProcessor)?
    /// The components the current adapters touch.
    var loraComponents: Set<SingleFileCheckpoint.Component> = []

    public init(folder: ModelFolder, vae vaeFolder: VAEFolder? = nil, precision: Precision = .f32,
                backend: any Backend = CPUBackend(), attention: (any AttentionProcessor)? = nil,
                compile: Bool = false) throws {
        try folder.validateSupported()
        if let vaeFolder {
            try vaeFolder.config.validateSupported()
            try GenerationLimits.checkLatentChannels(vae: vaeFolder.config.latentChannels, unet: folder.unet,
                                                     vaePath: vaeFolder.path)
        }
        self.vaeFolder = vaeFolder
        family = try ModelFamily(folder: folder)
        self.folder = folder
        self.precision = precision
        let policy = PrecisionPolicy(precision)
        self.policy = policy
        let compute = policy.backend(for: .unet, on: backend)
        self.backend = compute
        baseBackend = backend
        compiles = compile
        var files: [SingleFileCheckpoint.Component: [MappedFile]] = [:]
        var stores: [SingleFileCheckpoint.Component: WeightStore] = [:]
        (tokenizer, textEncoder, stores[.textEncoder]) = try Self.loadTextEncoder(folder, .textEncoder, policy: policy, on: backend, files: &files)
        (tokenizer2, textEncoder2, stores[.textEncoder2]) = try Self.loadTextEncoder(folder, .textEncoder2, policy: policy, on: backend, files: &files)
        let unetWeights = try Self.weightStore(folder, .unet, policy: policy)
        stores[.unet] = unetWeights
        baseWeights = stores
        (unet, compiledUNet) = try Self.makeUNet(folder, weights: unetWeights, backend: compute, compile: compile)
        let vaeWeights = try vaeFolder.map { try Self.weightStore($0.weights.files, .vae, policy: policy) }
            ?? Self.weightStore(folder, .vae, policy: policy)
        vae = try (vaeFolder?.config ?? .autoencoderKL(folder.vae)).autoencoder(
            weights: vaeWeights, backend: policy.backend(for: .vae, on: backend), computeDType: policy.computeDType)
        files[.unet] = unetWeights.mappedFiles
        files[.vae] = vaeWeights.mappedFiles
        let resident = ResidentWeights(files: files)
        residentWeights = resident
        promptEncoder = Self.makePromptEncoder(family: family, folder: folder, tokenizer: tokenizer, textEncoder: textEncoder,
                                               tokenizer2: tokenizer2, textEncoder2: textEncoder2, backend: compute,
                                               residentWeights: resident)
        denoiser = UNetDenoiser(unet: unet, compiledUNet: compiledUNet, backend: compute, residentWeights: resident)
        latentDecoder = VAELatentDecoder(vae: vae, backend: compute, residentWeights: resident)
        guard unet.config.fitsLatents(vae.latentChannels) else {
            throw PipelineError(.unsupportedModel, "\(folder.path): the UNet has \(unet.config.inChannels) input and \(unet.config.outChannels) output channels and the VAE \(vae.latentChannels) latent channels; supported are plain UNets (in = out = latent channels) and inpainting UNets (in = 2 × latent channels + 1)")
        }
        if let attention { try setAttentionProcessor(attention) }
    }

    /// The UNet built from `weights` (traced for compile), and its compiled form with `compile`.
    static func makeUNet(_ folder: ModelFolder, weights: WeightStore, backend: any Backend,
                         compile: Bool) throws -> (UNet2DConditionModel, CompiledUNet?) {
        let unet = try UNet2DConditionModel(config: folder.unet, weights: weights,
                                            backend: compile ? TracingBackend(wrapping: backend) : backend)
        return (unet, compile ? try CompiledUNet(unet) : nil)
    }

    /// Stage 1 for the family: `CLIPPromptEncoder` (SD 1.x / 2.x) or `SDXLPromptEncoder`.
    static func makePromptEncoder(family: ModelFamily, folder: ModelFolder, tokenizer: CLIPTokenizer?, textEncoder: CLIPTextModel?,
                                  tokenizer2: CLIPTokenizer?, textEncoder2: CLIPTextModel?, backend: any Backend,
                                  residentWeights: ResidentWeights) -> any PromptEncoding {
        switch family {
        case .stableDiffusion:
            // ModelFamily: an SD 1.x / 2.x folder has text_encoder (only the SDXL refiner lacks it).
            return CLIPPromptEncoder(tokenizer: tokenizer!, textEncoder: textEncoder!, backend: backend,
                                     residentWeights: residentWeights)
        case .stableDiffusionXL(let timeIds):
            var encoders: [SDXLPromptEncoder.Encoder] = []
            if let tokenizer, let textEncoder {
                encoders.append(.init(tokenizer: tokenizer, model: textEncoder, component: .textEncoder))
            }
            if let tokenizer2, let textEncoder2 {
                encoders.append(.init(tokenizer: tokenizer2, model: textEncoder2, component: .textEncoder2))
            }
            return SDXLPromptEncoder(encoders: encoders,
                                     forceZerosForEmptyPrompt: folder.modelIndex.options["force_zeros_for_empty_prompt"] ?? true,
                                     timeIds: timeIds, backend: backend, residentWeights: residentWeights)
        }
    }

    /// Puts rebuilt models in place and rebuilds the stages that hold them.
    func install(unet: UNet2DConditionModel, compiledUNet: CompiledUNet?, textEncoder: CLIPTextModel?, textEncoder2: CLIPTextModel?) {
        self.unet = unet
        self.compiledUNet = compiledUNet
        self.textEncoder = textEncoder
        self.textEncoder2 = textEncoder2
        promptEncoder = Self.makePromptEncoder(family: family, folder: folder, tokenizer: tokenizer, textEncoder: textEncoder,
                                               tokenizer2: tokenizer2, textEncoder2: textEncoder2, backend: backend,
                                               residentWeights: residentWeights)
        denoiser = UNetDenoiser(unet: unet, compiledUNet: compiledUNet, backend: backend, residentWeights: residentWeights)
    }

    /// Opens `path` as a `ModelFolder` (and `vae`, when given, as the `VAEFolder` replacing its VAE) and loads it.
    public convenience init(path: String, variant: String? = nil, vae: String? = nil, precision: Precision = .f32,
                            backend: any Backend = CPUBackend(), attention: (any AttentionProcessor)? = nil,
                            compile: Bool = false) throws {
        try self.init(folder: ModelFolder(path: path, variant: variant), vae: vae.map { try VAEFolder(path: $0) },
                      precision: precision, backend: backend, attention: attention, compile: compile)
    }

    /// Sets `processor` on every attention layer of the UNet, the VAE and the text encoder (and on the
    /// models `setLoRAs` builds later).
    public func setAttentionProcessor(_ processor: any AttentionProcessor) throws {
        attentionProcessor = processor
        try unet.setAttentionProcessor(processor)
        try vae.setAttentionProcessor(processor)
        try textEncoder?.setAttentionProcessor(processor)
        try textEncoder2?.setAttentionProcessor(processor)
    }

    /// Pixels per latent (`2^(len(vae.block_out_channels) − 1)`, of the VAE in use; 8 for SD, 2 for the tiny
    /// fixtures).
    public var vaeScaleFactor: Int { vae.vaeScaleFactor }

    /// Image sides must be multiples of this (`GenerationLimits.sizeMultiple`).
    public var sizeMultiple: Int { limits.sizeMultiple }

    /// Default size: the UNet's `sample_size` × `vaeScaleFactor` (`GenerationLimits.defaultSize`).
    public var defaultSize: (width: Int, height: Int) { limits.defaultSize }

    /// The scheduler for a run: the model's own, or `choice` built from the model's config; with
    /// `timestepSpacing` in place of the config's.
    public func makeScheduler(_ choice: SchedulerChoice?, timestepSpacing: String? = nil) throws -> any Scheduler {
        try SchedulerChoice.makeScheduler(choice, timestepSpacing: timestepSpacing, from: folder.scheduler)
    }

    /// The A1111 sampler name of the scheduler a run uses.
    public func samplerName(_ choice: SchedulerChoice?) -> String {
        (choice ?? SchedulerChoice.matching(folder.scheduler))?.samplerName ?? (folder.scheduler.className ?? "unknown")
    }
}

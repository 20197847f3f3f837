#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCore
import DiffuseModels
import DiffuseSchedulers
import DiffuseSources

/// Checks of a `GenerationConfiguration` before any work: each failure is one `PipelineError` line that
/// says what to change. Needs only the model folder's configs, so a caller (the CLI) can check before
/// loading any weights; `StableDiffusionPipeline.validate(_:)` runs it with the loaded processor.
public struct GenerationLimits: Sendable {
    /// The largest side accepted, in pixels (beyond it even the VAE decoder's activations alone exceed
    /// any machine this runs on).
    public static let maximumSide = 4096

    public let folder: ModelFolder
    /// The name of the UNet's attention processor (`vanilla`, `sliced(k)`, …), which decides the memory
    /// estimate; nil when not known yet (then only the VAE part is estimated).
    public let attentionProcessor: String?

    public init(folder: ModelFolder, attentionProcessor: String?) {
        self.folder = folder
        self.attentionProcessor = attentionProcessor
    }

    /// Pixels per latent: `2^(len(vae.block_out_channels) − 1)`.
    public var vaeScaleFactor: Int { folder.vae.scaleFactor }

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
        let train = folder.scheduler.numTrainTimesteps
        guard config.steps >= 1 else { throw invalid("steps must be at least 1, got \(config.steps)") }
        guard config.steps <= train else {
            throw invalid("steps must be at most \(train) (the scheduler's num_train_timesteps), got \(config.steps)")
        }
        guard config.guidanceScale.isFinite else { throw invalid("guidance scale must be a finite number") }
        guard config.imagesPerPrompt >= 1 else {
            throw invalid("images per prompt must be at least 1, got \(config.imagesPerPrompt)")
        }
        let layers = folder.textEncoder.numHiddenLayers
        guard config.clipSkip >= 0, config.clipSkip < layers else {
            throw invalid("clip skip must be between 0 and \(layers - 1) (the text encoder has \(layers) layers), got \(config.clipSkip)")
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
        } else {
            size = (config.width ?? size.width, config.height ?? size.height)
        }
        try checkSize(width: size.width, height: size.height, batch: config.imagesPerPrompt)
        // The scheduler must accept the model's config (SchedulerError names the key) and the steps.
        var scheduler = try config.scheduler.map { try $0.makeScheduler(from: folder.scheduler) }
            ?? SchedulerFactory.make(folder.scheduler)
        try scheduler.setTimesteps(config.steps)
        return size
    }

    /// Sides positive, multiples of 8 and of `sizeMultiple` (the VAE factor), ≤ `maximumSide`, and a rough peak-memory
    /// estimate below the machine's physical memory.
    public func checkSize(width: Int, height: Int, batch: Int = 1) throws {
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
        let needed = estimatedPeakBytes(width: width, height: height, batch: batch)
        let available = Self.physicalMemory
        if available > 0, needed > available {
            throw PipelineError(.tooLarge, "\(width)×\(height) × \(batch) image(s) needs about \(Self.gigabytes(needed)) GB, this machine has \(Self.gigabytes(available)) GB; use a smaller size or fewer images" + (attentionIsVanilla ? ", or sliced attention" : ""))
        }
    }

    /// A rough upper bound of the memory one run needs beyond the weights, in bytes: the larger of
    /// (a) the score matrices of the UNet's first-level self-attention, which depend on the processor
    /// of its first attention layer — `vanilla`: all [2N, heads, L, L] f32 at once (L = latent pixels);
    /// `sliced(k)`: k of the [L, L] matrices; any other (tiled / flash kernels): none —, and (b) the VAE
    /// decoder's last level, 3 live maps of [N, C0, H, W] f32.
    public func estimatedPeakBytes(width: Int, height: Int, batch: Int) -> Int {
        let f = vaeScaleFactor
        let tokens = (width / f) * (height / f)
        let heads = folder.unet.blockOutChannels.first.map { Swift.max(1, $0 / 40) } ?? 8
        let matrices: Int
        if let processor = attentionProcessor, processor == "vanilla" {
            matrices = 2 * batch * heads
        } else if let processor = attentionProcessor, processor.hasPrefix("sliced("),
                  let k = Int(processor.dropFirst(7).dropLast()) {
            matrices = Swift.min(k, 2 * batch * heads)
        } else {
            matrices = 0
        }
        let attention = matrices * tokens * tokens * 4
        let decoder = 3 * batch * (folder.vae.blockOutChannels.first ?? 128) * width * height * 4
        return Swift.max(attention, decoder)
    }

    var attentionIsVanilla: Bool { attentionProcessor == "vanilla" }

    static func gigabytes(_ bytes: Int) -> String {
        let tenths = (bytes + 50_000_000) / 100_000_000
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Installed memory in bytes (0 when unknown).
    static var physicalMemory: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? pages * size : 0
    }
}

extension StableDiffusionPipeline {
    /// The largest side accepted (`GenerationLimits.maximumSide`).
    public static var maximumSide: Int { GenerationLimits.maximumSide }

    /// The limits of this pipeline with its current attention processor.
    public var limits: GenerationLimits {
        GenerationLimits(folder: folder, attentionProcessor: unet.attentionLayers.first?.processor.name ?? "vanilla")
    }

    /// The resolved (width, height) of a run, after checking everything in `config`.
    public func validate(_ config: GenerationConfiguration) throws -> (width: Int, height: Int) {
        try limits.validate(config)
    }
}

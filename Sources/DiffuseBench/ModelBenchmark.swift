import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffusePipeline
import DiffuseSources

/// Runs grid cells on built models: skips those whose predicted peak (`MemoryModel`, the prediction the
/// pipeline refuses runs with) exceeds the memory limit, times the
/// others (warm-up, then `repeats` timed calls, median), records peak RSS and peak tensor bytes, and
/// the speed-up over the vanilla cell at the same batch.
public final class ModelBenchmark {
    public struct Settings: Sendable {
        public var warmup = 1
        public var repeats = 3
        /// UNet calls per `pipeline` run.
        public var pipelineSteps = 20
        /// VAE decodes (vae and pipeline cells) tiled and one image at a time (`AutoencoderKL+Tiling.swift`).
        public var vaeTiling = false
        /// `pipeline` cells: classifier-free guidance (> 1: text encoder and UNet on 2B, as diffusers with
        /// `guidance_scale` 7.5) or not (≤ 1: LCM / Turbo, one UNet pass of B per step).
        public var guidanceScale = 7.5
        public var guided: Bool { guidanceScale > 1 }
        /// Cells predicted (or measured) above this are `oom`; nil: no limit.
        public var memoryLimit: MemoryLimit?
        public var seed: UInt64 = 0
        /// Resident bytes of the process before any model was built (added to every prediction, since
        /// the limit is compared with the process's peak RSS).
        public var baselineBytes = 0
        public init() {}
    }

    public let settings: Settings
    public let profile: OpProfile?
    /// Wall time of the last cell's timed calls (what its profile covers).
    public private(set) var lastTimedSeconds = 0.0
    /// Vanilla seconds per `BenchResult.vanillaKey`.
    private var vanillaSeconds: [String: Double] = [:]
    /// Attention choices already out of memory per (precision, size, compiled): larger batches skip too.
    private var exhausted: Set<String> = []

    public init(settings: Settings, profile: OpProfile? = nil) {
        self.settings = settings
        self.profile = profile
    }

    /// Measures `cell` on `models` (built for `cell.precision` and `cell.component`).
    public func run(_ cell: BenchCell, models: BenchModels, configs: ModelConfigs) -> BenchResult {
        var result = BenchResult(source: "diffuse", cell: cell, threads: Parallel.threadCount, status: .ok)
        let model = configs.memoryModel(vae: cell.vae), weights = WeightFootprint.bytes(models.weightBytes)
        var request = cell.memoryRequest
        if cell.component == .pipeline {
            request.guidance = settings.guided
            result.guided = settings.guided
        }
        if settings.vaeTiling, cell.vae == .kl { request.vaeTile = configs.vae.sampleSize.height }
        result.predictedBytes = settings.baselineBytes + model.peakBytes(request, weights: weights)
        let shortfall = model.shortfall(request, weights: weights, baselineBytes: settings.baselineBytes,
                                        limit: settings.memoryLimit)
        let family = "\(cell.attention)|\(cell.precision)|\(cell.width)x\(cell.height)|\(cell.compiled)"
        if cell.compiled && cell.component != .unet && cell.component != .pipeline {
            result.status = .error
            result.reason = "Diffuse compiles the UNet only; --compile applies to `unet` and `pipeline`"
            return result
        }
        if settings.memoryLimit != nil, shortfall != nil || exhausted.contains(family) {
            result.status = .oom
            result.reason = exhausted.contains(family) ? "a smaller batch was already out of memory"
                : "\(shortfall!.summary); not run"
            exhausted.insert(family)
            return result
        }
        do {
            try models.setAttention(cell.attention)
            let call = try makeCall(cell, models: models, configs: configs)
            if cell.compiled, let compiled = models.compiledUNet {
                // Compile (capture + passes + plan + checking replay) outside the timed calls.
                compiled.clearCache()
                let shapes = try unetShapes(cell, configs: configs)
                let start = OpProfile.now()
                try compiled.compile(sampleShape: shapes.sample, contextShape: shapes.context,
                                     textEmbedsShape: shapes.added?.textEmbeds, timeIdsShape: shapes.added?.timeIds)
                result.compileSeconds = OpProfile.now() - start
            }
            ProcessMemory.resetPeak()
            HostAllocator.resetPeak()
            for _ in 0..<settings.warmup { try call() }
            profile?.reset()
            var samples: [Double] = []
            for _ in 0..<settings.repeats {
                let start = OpProfile.now()
                try call()
                samples.append(OpProfile.now() - start)
            }
            samples.sort()
            let seconds = samples[samples.count / 2]
            result.secondsPerStep = seconds
            result.imagesPerSecond = Double(cell.component.imagesPerCall(batch: cell.batch)) / seconds
            result.peakRSSBytes = ProcessMemory.peakResidentBytes
            result.peakTensorBytes = HostAllocator.peakBytes
            lastTimedSeconds = samples.reduce(0, +)
            if let limit = settings.memoryLimit, let rss = result.peakRSSBytes, rss > limit.bytes {
                result.status = .oom
                result.reason = "measured peak RSS \(formatBytes(rss)) > limit \(limit)"
                exhausted.insert(family)
            }
        } catch {
            result.status = .error
            result.reason = "\(error)"
        }
        if result.status == .ok, let seconds = result.secondsPerStep {
            if cell.attention == .vanilla { vanillaSeconds[result.vanillaKey] = seconds }
            result.speedupVsVanilla = vanillaSeconds[result.vanillaKey].map { $0 / seconds }
        }
        return result
    }

    /// The timed call of a cell, with its inputs made once (`BenchInputs`). An SDXL UNet gets its added
    /// conditions in every call: synthetic `text_embeds` in `unet` cells, the prompt stage's pooled output in
    /// `pipeline` cells, and the cell's `time_ids`.
    func makeCall(_ cell: BenchCell, models: BenchModels, configs: ModelConfigs) throws -> () throws -> Void {
        let inputs = BenchInputs(configs: configs, cell: cell, seed: settings.seed)
        let b = cell.batch
        switch cell.component {
        case .unet:
            let unet = try self.unet(cell, models)
            let sample = inputs.latents(b), hidden = inputs.context(b), added = try inputs.added(b)
            return { _ = try unet(sample, 981, hidden, added) }
        case .vae:
            let vae = try decoder(cell, models)
            let latents = SyntheticWeights.uniform(inputs.latentShape(b, channels: configs.vae.latentChannels),
                                                   seed: settings.seed &+ 6)
            let tiled = settings.vaeTiling
            return { _ = try vae.decode(latents, tiled: tiled) }
        case .textEncoder:
            _ = try require(models.textEncoder, "text encoder")
            let ids = inputs.ids(b)
            return { _ = try models.encodePrompt(ids) }
        case .pipeline:
            let (unet, vae) = (try self.unet(cell, models), try decoder(cell, models))
            _ = try require(models.textEncoder, "text encoder")
            let g = settings.guided ? 2 * b : b                               // the UNet's batch: 2B with guidance
            let ids = inputs.ids(g), steps = settings.pipelineSteps
            let noise = inputs.latents(g)
            let tiled = settings.vaeTiling
            return {
                // Each stage's mapped weights are released when it ends, as the pipeline does.
                let prompt = try models.encodePrompt(ids)                    // [G, 77, D], SDXL pooled [G, P]
                models.releaseResidentWeights(.textEncoder)
                models.releaseResidentWeights(.textEncoder2)
                let added = try inputs.added(g, textEmbeds: prompt.pooled)            // SDXL: [G, P], [G, 6]
                var latents = noise                                           // [G, 4, h, w]
                for step in 0..<steps {
                    latents = try unet(latents, Float(999 - step * 999 / max(steps, 1)), prompt.hidden, added)
                }
                models.releaseResidentWeights(.unet)
                let z = latents.sliced(dim: 0, 0..<b)                                 // [B, 3, H, W]
                _ = try vae.decode(z, tiled: tiled)
                models.releaseResidentWeights(.vae)
            }
        }
    }

    /// The UNet's input shapes in a cell's timed call: sample [B, 4, h, w], context [B, 77, D] and, for
    /// SDXL, text embeds [B, P] and time ids [B, 6]; B doubled in guided `pipeline` cells (classifier-free guidance).
    func unetShapes(_ cell: BenchCell, configs: ModelConfigs) throws
        -> (sample: [Int], context: [Int], added: (textEmbeds: [Int], timeIds: [Int])?) {
        let inputs = BenchInputs(configs: configs, cell: cell, seed: settings.seed)
        let b = cell.component == .pipeline && settings.guided ? 2 * cell.batch : cell.batch
        return (inputs.latentShape(b), inputs.contextShape(b), try inputs.addedShapes(b))
    }

    /// The UNet forward of a cell: compiled (`CompiledUNet`) for compiled cells, else eager.
    private func unet(_ cell: BenchCell, _ models: BenchModels)
        throws -> (Tensor, Float, Tensor, UNetAddedConditions?) throws -> Tensor {
        if cell.compiled {
            let compiled = try require(models.compiledUNet, "compiled UNet")
            return { try compiled(sample: $0, timestep: $1, encoderHiddenStates: $2, added: $3) }
        }
        let unet = try require(models.unet, "UNet")
        return { try unet.forward(sample: $0, timestep: $1, encoderHiddenStates: $2, added: $3) }
    }

    /// The decoder of a cell: the family's AutoencoderKL or the tiny autoencoder (`BenchVAE`).
    private func decoder(_ cell: BenchCell, _ models: BenchModels) throws -> any LatentAutoencoder {
        switch cell.vae {
        case .kl: try require(models.vae, "VAE")
        case .tiny: try require(models.tinyVAE, "tiny autoencoder (--vae tiny)")
        }
    }

    private func require<T>(_ value: T?, _ name: String) throws -> T {
        guard let value else { throw BenchError("the \(name) was not built for this component") }
        return value
    }
}

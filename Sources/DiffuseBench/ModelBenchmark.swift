import DiffuseCore
import DiffuseCPU
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
        let model = configs.memoryModel, weights = WeightFootprint.bytes(models.weightBytes)
        result.predictedBytes = settings.baselineBytes + model.peakBytes(cell.memoryRequest, weights: weights)
        let shortfall = model.shortfall(cell.memoryRequest, weights: weights, baselineBytes: settings.baselineBytes,
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
                let shapes = unetShapes(cell, configs: configs)
                let start = OpProfile.now()
                try compiled.compile(sampleShape: shapes.sample, contextShape: shapes.context)
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

    /// The timed call of a cell, with its inputs made once.
    func makeCall(_ cell: BenchCell, models: BenchModels, configs: ModelConfigs) throws -> () throws -> Void {
        let f = configs.vaeScaleFactor
        let latentShape = { (batch: Int) in [batch, configs.unet.inChannels, cell.height / f, cell.width / f] }
        let seed = settings.seed
        func ids(_ batch: Int) -> Tensor {
            var state = seed | 1
            let vocab = configs.textEncoder.vocabSize, length = configs.textEncoder.maxPositionEmbeddings
            let values = (0..<batch * length).map { _ -> Int in
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                return Int(state % UInt64(vocab))
            }
            return Tensor(ids: values, shape: [batch, length])
        }
        func context(_ batch: Int) -> Tensor {
            SyntheticWeights.uniform([batch, configs.textEncoder.maxPositionEmbeddings,
                                      configs.unet.crossAttentionDims.first ?? configs.textEncoder.hiddenSize],
                                     seed: seed &+ 7)
        }
        let b = cell.batch
        switch cell.component {
        case .unet:
            let unet = try self.unet(cell, models)
            let sample = SyntheticWeights.uniform(latentShape(b), seed: seed &+ 5), hidden = context(b)
            return { _ = try unet(sample, 981, hidden) }
        case .vae:
            let vae = try require(models.vae, "VAE")
            let latents = SyntheticWeights.uniform([b, configs.vae.latentChannels, cell.height / f, cell.width / f],
                                                   seed: seed &+ 6)
            return { _ = try vae.decode(latents) }
        case .textEncoder:
            let encoder = try require(models.textEncoder, "text encoder")
            let input = ids(b)
            return { _ = try encoder.encodePrompt(input) }
        case .pipeline:
            let (unet, vae, encoder) = (try self.unet(cell, models), try require(models.vae, "VAE"),
                                        try require(models.textEncoder, "text encoder"))
            let input = ids(2 * b), steps = settings.pipelineSteps
            let noise = SyntheticWeights.uniform(latentShape(2 * b), seed: seed &+ 5)
            return {
                // Each stage's mapped weights are released when it ends, as the pipeline does.
                let hidden = try encoder.encodePrompt(input)                        // [2B, 77, D]
                models.releaseResidentWeights(.textEncoder)
                var latents = noise                                                   // [2B, 4, h, w]
                for step in 0..<steps {
                    latents = try unet(latents, Float(999 - step * 999 / max(steps, 1)), hidden)
                }
                models.releaseResidentWeights(.unet)
                _ = try vae.decode(latents.sliced(dim: 0, 0..<b))                       // [B, 3, H, W]
                models.releaseResidentWeights(.vae)
            }
        }
    }

    /// The UNet's input shapes in a cell's timed call: sample [B, 4, h, w] and context [B, 77, D], with
    /// B doubled in `pipeline` cells (classifier-free guidance).
    func unetShapes(_ cell: BenchCell, configs: ModelConfigs) -> (sample: [Int], context: [Int]) {
        let f = configs.vaeScaleFactor
        let b = cell.component == .pipeline ? 2 * cell.batch : cell.batch
        return ([b, configs.unet.inChannels, cell.height / f, cell.width / f],
                [b, configs.textEncoder.maxPositionEmbeddings,
                 configs.unet.crossAttentionDims.first ?? configs.textEncoder.hiddenSize])
    }

    /// The UNet forward of a cell: compiled (`CompiledUNet`) for compiled cells, else eager.
    private func unet(_ cell: BenchCell, _ models: BenchModels) throws -> (Tensor, Float, Tensor) throws -> Tensor {
        if cell.compiled {
            let compiled = try require(models.compiledUNet, "compiled UNet")
            return { try compiled(sample: $0, timestep: $1, encoderHiddenStates: $2) }
        }
        let unet = try require(models.unet, "UNet")
        return { try unet.forward(sample: $0, timestep: $1, encoderHiddenStates: $2) }
    }

    private func require<T>(_ value: T?, _ name: String) throws -> T {
        guard let value else { throw BenchError("the \(name) was not built for this component") }
        return value
    }
}

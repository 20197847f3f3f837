import DiffuseCore
import DiffuseImage
import DiffusePipeline

/// Runs a `GenerationPlan` on the generation thread: switches model and LoRAs when asked, runs every
/// iteration with the step callback that feeds progress, metrics and the stop flags, and encodes PNGs with
/// A1111's `parameters` chunk (`GenerationParameters`, as `diffuse generate` writes it).
struct GenerationRunner: Sendable {
    let store: ModelStore
    let progress: ProgressBoard
    let metrics: ServerMetrics
    /// Write a progress preview every this many steps.
    var previewEvery = 5

    func run(_ plan: GenerationPlan, job: GenerationJob) throws -> GenerationOutput {
        if let model = plan.model { try store.switchTo(model) }
        _ = try store.apply(plan.loras)
        let (pipeline, modelName) = store.current
        let size = try Self.checked { try pipeline.validate(plan.config) }
        // Steps per iteration as the pipeline counts them (image-to-image runs ⌊steps · strength⌋).
        let perIteration = plan.config.initImage == nil
            ? plan.config.steps : max(1, Int(Double(plan.config.steps) * plan.config.strength))
        progress.begin(job: job.id, totalSteps: perIteration * plan.iterations)

        var output = GenerationOutput(width: size.width, height: size.height,
                                      sampler: pipeline.samplerName(plan.sampler), model: modelName,
                                      modelHash: store.modelHash())
        for iteration in 0..<plan.iterations {
            if job.isCancelled { throw Self.cancelled }
            if job.isInterrupted { break }
            var config = plan.config
            config.seed = plan.seed &+ UInt64(iteration * plan.batchSize)
            var images = try generate(config, pipeline: pipeline, job: job, done: iteration * perIteration)
            if config.maskImage != nil, let start = plan.initImages { images = start.overlay(images) }
            var parameters = GenerationParameters(
                prompt: plan.config.prompt, negativePrompt: config.negativePrompt, steps: config.steps,
                sampler: output.sampler, guidanceScale: config.guidanceScale, seed: config.seed ?? 0,
                width: size.width, height: size.height, model: modelName)
            parameters.strength = config.initImage == nil ? nil : config.strength
            parameters.clipSkip = config.clipSkip
            parameters.maskBlur = plan.maskBlur
            parameters.version = DiffuseVersion.tag
            parameters.modelHash = output.modelHash
            parameters.batchSize = plan.batchSize
            parameters.loras = plan.loras.map { GenerationParameters.LoRATag(name: $0.name, scale: $0.scale) }
            for (position, image) in images.enumerated() {
                parameters.batchPosition = position
                output.images.append(try image.pngData(text: [(key: "parameters", value: parameters.text)]))
                output.infotexts.append(parameters.text)
                output.seeds.append(config.seed ?? 0)
            }
        }
        metrics.generations.increment()
        metrics.images.increment(by: Int64(output.images.count))
        return output
    }

    /// One batch; on interrupt / skip, the images decoded from the latents of the last finished step
    /// (as A1111 returns what it has).
    private func generate(_ config: GenerationConfiguration, pipeline: StableDiffusionPipeline, job: GenerationJob,
                          done: Int) throws -> [RGBImage] {
        var last: Tensor? = nil
        var previous = 0.0
        do {
            let result = try Self.checked {
                try pipeline.generate(config) { step in
                    metrics.stepSeconds.record(step.elapsed - previous)
                    previous = step.elapsed
                    last = step.latents
                    var preview: [UInt8]? = nil
                    if step.step % previewEvery == 0 || step.step == step.stepCount {
                        preview = try? pipeline.preview(latents: step.latents.sliced(dim: 0, 0..<1))[0].pngData()
                    }
                    progress.advance(to: done + step.step, preview: preview)
                    return job.shouldStopIteration() ? .cancel : .proceed
                }
            }
            return result.rgbImages
        } catch let error as ServerError where error.status == Self.cancelled.status {
            guard !job.isCancelled, let last else { throw error }
            let images = try pipeline.decode(latents: last)   // [N, 3, H, W]
            return (0..<images.size(0)).map { RGBImage(tensor: images.sliced(dim: 0, $0..<($0 + 1))) }
        }
    }

    static let cancelled = ServerError(.init(code: 499, reasonPhrase: "Client Closed Request"), "the generation was stopped")

    /// Pipeline errors as HTTP errors: bad values 422, too large for memory 413, unsupported model 400, a
    /// model whose numbers went NaN / ∞ 500 (the server's model is at fault, not the request).
    static func checked<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PipelineError {
            switch error.kind {
            case .invalidConfiguration: throw ServerError(.unprocessableContent, error.message)
            case .tooLarge: throw ServerError(.contentTooLarge, error.message)
            case .unsupportedModel: throw ServerError(.badRequest, error.message)
            case .cancelled: throw cancelled
            case .nonFinite: throw ServerError(.internalServerError, error.message)
            }
        }
    }
}

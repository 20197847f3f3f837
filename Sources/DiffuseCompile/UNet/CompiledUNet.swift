import DiffuseCore
import DiffuseModels
import DiffuseNN

/// `torch.compile` for the UNet: the first call for a given input shape runs the UNet eagerly while
/// recording every op into a graph (`TracingBackend`), fuses Linear bias and residual adds into their
/// GEMMs, plans every intermediate into one arena by liveness, checks one replay against the eager
/// result, and keeps the graph; later calls of that shape replay it. A new shape (or attention processor,
/// and its kernel priority) compiles again. Results equal eager within rounding (summation order).
/// SDXL's added conditions (text embeds, time ids) are two more graph inputs, and ControlNet residuals
/// (one per skip connection, then the mid block's) as many more; a call without them is another graph.
///
/// The UNet must compute on a `TracingBackend` (build it with `TracingBackend(wrapping: backend)`); it
/// still runs eagerly through `unet.forward`, with one lock per op of overhead. One call at a time.
public final class CompiledUNet: @unchecked Sendable {
    public let unet: UNet2DConditionModel
    public let options: CompileOptions
    /// Compiled shapes kept (oldest dropped first); each holds an arena.
    public var maxCachedShapes = 4
    private let tracer: TracingBackend
    private let lock = Lock()
    private var cache: [Key: CompiledGraph] = [:]
    private var order: [Key] = []

    struct Key: Hashable {
        var sample: [Int]
        var context: [Int]
        /// The added conditions' and ControlNet residuals' shapes, in input order; empty without them.
        var extra: [[Int]]
        var processors: [String]

        init(inputs: [Tensor], processors: [String]) {
            sample = inputs[0].shape
            context = inputs[2].shape
            extra = inputs.dropFirst(3).map(\.shape)
            self.processors = processors
        }
    }

    /// Throws `CompileError.notTraceable` when `unet` does not compute on a `TracingBackend`.
    public init(_ unet: UNet2DConditionModel, options: CompileOptions = CompileOptions()) throws {
        guard let tracer = unet.backend as? TracingBackend else { throw CompileError.notTraceable("this UNet") }
        self.unet = unet
        self.options = options
        self.tracer = tracer
    }

    /// As `UNet2DConditionModel.forward(sample:timestep:encoderHiddenStates:added:control:)`: [B, out, H, W].
    public func callAsFunction(sample: Tensor, timestep: Tensor, encoderHiddenStates: Tensor,
                               added: UNetAddedConditions? = nil, control: ControlNetResiduals? = nil) throws -> Tensor {
        guard let inputs = try graphInputs(sample, timestep, encoderHiddenStates, added, control) else {
            // Malformed shapes, or added conditions missing / unexpected: eager forward throws its own message.
            return try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: encoderHiddenStates, added: added,
                                    control: control)
        }
        let addedCount = added == nil ? 0 : 2
        let key = Key(inputs: inputs, processors: unet.attentionLayers.map(\.processor.name))
        return try lock.withLock {
            if let graph = cache[key] { return graph.run(inputs) }
            let (graph, eager) = try GraphCapture.compile(on: tracer, inputs: inputs, options: options) { x in
                // x = [sample, t, context] ++ [text embeds, time ids]? ++ [down residuals…, mid residual]?
                let residuals = x.dropFirst(3 + addedCount)
                return try unet.forward(sample: x[0], timestep: x[1], encoderHiddenStates: x[2],
                                        added: addedCount == 2 ? UNetAddedConditions(textEmbeds: x[3], timeIds: x[4]) : nil,
                                        control: residuals.isEmpty ? nil
                                            : ControlNetResiduals(down: Array(residuals.dropLast()), mid: residuals.last!))
            }
            cache[key] = graph
            order.append(key)
            while order.count > max(1, maxCachedShapes) { cache[order.removeFirst()] = nil }
            return eager
        }
    }

    /// With one timestep value for the whole batch.
    public func callAsFunction(sample: Tensor, timestep: Float, encoderHiddenStates: Tensor,
                               added: UNetAddedConditions? = nil, control: ControlNetResiduals? = nil) throws -> Tensor {
        try self(sample: sample, timestep: Tensor([timestep], shape: [1]), encoderHiddenStates: encoderHiddenStates,
                 added: added, control: control)
    }

    /// Compiles for these shapes now (with zero inputs) unless already compiled; returns the summary.
    /// An SDXL UNet (`requiresAddedConditions`) also needs the added conditions' shapes: text embeds
    /// [B, P] and time ids [B, n].
    @discardableResult
    public func compile(sampleShape: [Int], contextShape: [Int], textEmbedsShape: [Int]? = nil,
                        timeIdsShape: [Int]? = nil) throws -> CompileSummary {
        var added: UNetAddedConditions?
        if let textEmbedsShape, let timeIdsShape {
            added = UNetAddedConditions(textEmbeds: Tensor(zeros: textEmbedsShape, dtype: unet.dtype),
                                        timeIds: Tensor(zeros: timeIdsShape, dtype: .f32))
        }
        let sample = Tensor(zeros: sampleShape, dtype: unet.dtype)
        let context = Tensor(zeros: contextShape, dtype: unet.dtype)
        _ = try self(sample: sample, timestep: 500, encoderHiddenStates: context, added: added)
        let inputs = try graphInputs(sample, Tensor([500], shape: [1]), context, added, nil)
        let key = inputs.map { Key(inputs: $0, processors: unet.attentionLayers.map(\.processor.name)) }
        guard let summary = lock.withLock({ key.flatMap { cache[$0]?.summary } }) else {
            throw CompileError.unreplayable(["shapes \(sampleShape) / \(contextShape) were not compiled"])
        }
        return summary
    }

    /// Summaries of the compiled shapes, oldest first.
    public var summaries: [CompileSummary] { lock.withLock { order.compactMap { cache[$0]?.summary } } }

    /// Drops every compiled shape (and its arena).
    public func clearCache() { lock.withLock { cache = [:]; order = [] } }

    /// The graph inputs: sample and context in the model's dtype, timesteps as f32 [B], then (SDXL) text
    /// embeds and time ids as f32 (the forward computes the added embedding's input in f32), then the
    /// ControlNet residuals in the model's dtype; each a fresh contiguous copy. Nil when the shapes are
    /// malformed or `added` does not match the UNet.
    private func graphInputs(_ sample: Tensor, _ timestep: Tensor, _ context: Tensor,
                             _ added: UNetAddedConditions?, _ control: ControlNetResiduals?) throws -> [Tensor]? {
        guard sample.rank == 4, context.rank == 3, sample.size(0) > 0,
              unet.requiresAddedConditions == (added != nil) else { return nil }
        let batch = sample.size(0)
        guard timestep.rank <= 1, timestep.count == 1 || timestep.count == batch else {
            throw UNetInputError(argument: "timestep", message:
                "has shape \(timestep.shape); expected a scalar, [1] or one per batch element [\(batch)]")
        }
        let t = timestep.reshaped([-1]).expanded(to: [batch])
        let inputs = [GraphCapture.freshInput(sample, dtype: unet.dtype), GraphCapture.freshInput(t, dtype: .f32),
                      GraphCapture.freshInput(context, dtype: unet.dtype)]
        let addedInputs = added.map { [GraphCapture.freshInput($0.textEmbeds, dtype: .f32),
                                       GraphCapture.freshInput($0.timeIds, dtype: .f32)] } ?? []
        let controlInputs = control.map { ($0.down + [$0.mid]).map { GraphCapture.freshInput($0, dtype: unet.dtype) } } ?? []
        return inputs + addedInputs + controlInputs
    }
}

import DiffuseCore

/// Captures what a function computes on a `TracingBackend` as a graph, and compiles it.
public enum GraphCapture {
    /// Runs `body(inputs)` eagerly on `backend` while recording it. Returns the graph and the eager result.
    /// `inputs` must be distinct contiguous tensors at offset 0 (they become the graph inputs). Throws
    /// `CompileError.unreplayable` when the body used a tensor made outside the backend during the call.
    public static func capture(on backend: TracingBackend, inputs: [Tensor],
                               _ body: ([Tensor]) throws -> Tensor) throws -> (graph: CapturedGraph, output: Tensor) {
        for input in inputs {
            require(input.isContiguous && input.offset == 0, "GraphCapture: inputs must be contiguous at offset 0")
        }
        let recorder = GraphRecorder(inputs: inputs)
        let output = try backend.capturing(recorder) { try body(inputs) }
        return (try recorder.graph(output: output), output)
    }

    /// Captures `body` and compiles the graph with `options` (the eager result of the capture checks it).
    /// Returns the compiled graph and the capture's eager result. Resets `HostAllocator`'s peak (to measure
    /// the eager peak of the capture for the summary).
    public static func compile(on backend: TracingBackend, inputs: [Tensor], options: CompileOptions = CompileOptions(),
                               _ body: ([Tensor]) throws -> Tensor) throws -> (graph: CompiledGraph, eager: Tensor) {
        let clock = ContinuousClock(), start = clock.now
        let liveBefore = HostAllocator.liveBytes
        HostAllocator.resetPeak()
        let (graph, output) = try capture(on: backend, inputs: inputs, body)
        var summary = CompileSummary(inputShapes: inputs.map(\.shape))
        summary.eagerPeakBytes = HostAllocator.peakBytes - liveBefore
        let compiled = try CompiledGraph(graph: graph, backend: backend.base, options: options, inputs: inputs,
                                         reference: output, summary: summary)
        let elapsed = clock.now - start
        compiled.setSeconds(elapsed.seconds)
        return (compiled, output)
    }

    /// A fresh contiguous copy of `tensor` in `dtype` at offset 0 (graph inputs own their storage).
    public static func freshInput(_ tensor: Tensor, dtype: DType) -> Tensor {
        let source = tensor.hostConverted(to: dtype)
        let out = Tensor(uninitialized: source.shape, dtype: dtype)
        source.copyStrided(to: out.rawPointer)
        return out
    }
}

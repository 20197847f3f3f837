import DiffuseCore

/// A captured graph after the passes, ready to replay: the executor, the arena of its memory plan, and
/// what compiling it did. One replay at a time (a lock): the arena is shared by all replays.
public final class CompiledGraph: @unchecked Sendable {
    /// What compiling did, and the last replay's arena use.
    public var summary: CompileSummary { lock.withLock { current } }
    private var current: CompileSummary
    let executor: GraphExecutor
    private let arena: Arena?
    private let lock = Lock()

    /// Runs the passes `options` selects on `graph`, replays it once recording allocations, checks the
    /// result against `reference` (the eager output of the capture) and plans the arena.
    /// Throws `CompileError.mismatch` when the replay differs from eager beyond rounding.
    init(graph captured: CapturedGraph, backend: any Backend, options: CompileOptions, inputs: [Tensor],
         reference: Tensor, summary start: CompileSummary) throws {
        var summary = start
        var graph = captured
        DeadNodeElimination.run(&graph)
        summary.capturedNodes = graph.liveNodeCount
        if options.fuseLinear { (summary.fusedBiases, summary.plainLinears) = LinearFusion.run(&graph) }
        if options.fuseResidual { (summary.fusedResidualLinears, summary.fusedResidualConvs) = ResidualFusion.run(&graph) }
        if options.prepackWeights { summary.packedWeightBytes = WeightPrepacking.run(&graph) }
        DeadNodeElimination.run(&graph)
        summary.replayedNodes = graph.liveNodeCount
        let executor = GraphExecutor(graph: graph, backend: backend)
        self.executor = executor

        // A replay that records the allocation sequence, and checks the result against eager.
        let recorder = AllocationRecorder()
        let result = HostAllocator.intercepting(recorder) { executor.run(inputs) }
        summary.relativeDifference = Self.relativeDifference(result, reference)
        // Fusion changes summation order only; anything beyond 1e-3 of the output's scale is a bug.
        guard summary.relativeDifference <= 1e-3 else {
            throw CompileError.mismatch("max |compiled − eager| = \(summary.relativeDifference) × max |eager|")
        }
        arena = options.planMemory ? Arena(blocks: recorder.blocks) : nil
        summary.arenaBytes = arena?.byteCount ?? 0
        current = summary
    }

    /// The result for `inputs` (fresh contiguous tensors of the captured shapes and dtypes). The result
    /// is its own allocation: it survives later replays.
    public func run(_ inputs: [Tensor]) -> Tensor {
        lock.withLock {
            guard let arena else { return executor.run(inputs) }
            let replay = ArenaReplay(arena)
            let result = HostAllocator.intercepting(replay) { executor.run(inputs) }
            current.arenaAllocations = replay.served
            current.mallocAllocations = replay.declined
            if replay.diverged { current.divergedReplays += 1 }
            return result
        }
    }

    func setSeconds(_ seconds: Double) { lock.withLock { current.seconds = seconds } }

    /// max |a − e| / max |e| (max |a − e| when e is all zeros).
    static func relativeDifference(_ actual: Tensor, _ expected: Tensor) -> Double {
        let a = actual.floats(), e = expected.floats()
        guard a.count == e.count else { return .infinity }
        var worst = 0.0, peak = 0.0
        for (x, y) in zip(a, e) {
            let d = abs(Double(x) - Double(y))
            worst = d.isNaN ? .infinity : max(worst, d)
            peak = max(peak, abs(Double(y)))
        }
        return peak > 0 ? worst / peak : worst
    }
}

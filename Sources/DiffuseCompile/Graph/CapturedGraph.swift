import DiffuseCore

/// The ops of one forward pass for fixed input shapes, in execution order: nodes over values (graph
/// inputs, node outputs, constant storages captured by reference), and the view of the result.
public struct CapturedGraph: Sendable {
    /// The inputs' views (contiguous, offset 0: callers pass fresh contiguous copies).
    public var inputs: [ValueView]
    public var nodes: [GraphNode]
    /// Weights (and pre-packed copies of them), kept alive by the graph.
    public var constants: [Storage]
    /// The result.
    public var output: ValueView

    /// Nodes a replay runs.
    public var liveNodeCount: Int { nodes.count(where: { !$0.removed }) }

    /// Consumers of each node output among the live nodes, plus one for the graph output.
    public func useCounts() -> [Int: Int] {
        var uses: [Int: Int] = [:]
        for node in nodes where !node.removed {
            for case .node(let j) in node.inputValues { uses[j, default: 0] += 1 }
        }
        if case .node(let j) = output.value { uses[j, default: 0] += 1 }
        return uses
    }

    /// Count of live nodes per op name (for summaries and tests).
    public var opCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for node in nodes where !node.removed { counts[node.op.name, default: 0] += 1 }
        return counts
    }

    /// Bytes of the constant storages.
    public var constantBytes: Int { constants.reduce(0) { $0 + $1.byteCount } }
}

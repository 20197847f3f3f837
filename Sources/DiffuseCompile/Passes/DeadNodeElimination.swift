/// Removes nodes whose output nothing reads (e.g. a copy a model made and dropped). Ops are pure, so
/// skipping them changes no result.
enum DeadNodeElimination {
    /// Returns the number of nodes removed.
    @discardableResult
    static func run(_ graph: inout CapturedGraph) -> Int {
        var uses = graph.useCounts()
        var removed = 0
        for i in graph.nodes.indices.reversed() where !graph.nodes[i].removed && uses[i, default: 0] == 0 {
            graph.nodes[i].removed = true
            removed += 1
            for case .node(let j) in graph.nodes[i].inputValues { uses[j, default: 0] -= 1 }
        }
        return removed
    }
}

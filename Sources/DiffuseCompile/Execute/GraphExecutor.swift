import DiffuseCore

/// Replays a captured graph on a backend: runs the live nodes in order, rebuilding each input view over
/// the storage its value has in this replay, and drops every node output right after its last reader
/// (so intermediates are freed in the same order on every replay, which the memory plan relies on).
struct GraphExecutor: Sendable {
    let graph: CapturedGraph
    let backend: any Backend
    /// Node outputs to drop after each node.
    private let releases: [[Int]]

    init(graph: CapturedGraph, backend: any Backend) {
        self.graph = graph
        self.backend = backend
        var lastUse: [Int: Int] = [:]
        for (i, node) in graph.nodes.enumerated() where !node.removed {
            lastUse[i] = i
            for case .node(let j) in node.inputValues { lastUse[j] = i }
        }
        if case .node(let j) = graph.output.value { lastUse[j] = nil }
        var releases = [[Int]](repeating: [], count: graph.nodes.count)
        for (value, last) in lastUse { releases[last].append(value) }
        self.releases = releases
    }

    /// The result for `inputs` (shapes and dtypes as captured; each a fresh contiguous tensor).
    func run(_ inputs: [Tensor]) -> Tensor {
        require(inputs.count == graph.inputs.count, "compiled graph: \(inputs.count) inputs, expected \(graph.inputs.count)")
        for (input, view) in zip(inputs, graph.inputs) {
            require(input.shape == view.shape && input.dtype == view.dtype && input.isContiguous,
                    "compiled graph: input \(input) differs from the captured \(view.dtype) \(view.shape)")
        }
        var outputs = [Storage?](repeating: nil, count: graph.nodes.count)
        func storage(_ value: ValueID) -> Storage {
            switch value {
            case .input(let i): inputs[i].storage
            case .node(let j): outputs[j]!
            case .constant(let c): graph.constants[c]
            }
        }
        for (i, node) in graph.nodes.enumerated() where !node.removed {
            let result = node.run(node.inputs.map { $0.map { $0.tensor(over: storage($0.value)) } }, on: backend)
            let expected = node.output
            require(result.shape == expected.shape && result.dtype == expected.dtype && result.offset == expected.offset
                    && result.strides == expected.strides,
                    "compiled graph: node \(i) (\(node.op.name)) returned \(result.dtype) \(result.shape) strides "
                    + "\(result.strides) offset \(result.offset); captured \(expected.dtype) \(expected.shape) "
                    + "strides \(expected.strides) offset \(expected.offset)")
            outputs[i] = result.storage
            for j in releases[i] { outputs[j] = nil }
        }
        return graph.output.tensor(over: storage(graph.output.value))
    }
}

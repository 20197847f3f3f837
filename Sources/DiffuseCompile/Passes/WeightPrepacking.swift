import DiffuseCore

/// Pre-transposed weights: a `.linear` node computes x · Wᵀ with W [N, K]; the GEMM then packs op(B) = Wᵀ
/// from a column-strided source on every call (a scalar gather per element). With Wᵀ stored [K, N]
/// row-major once at compile time the packing reads contiguous rows. Only for large M (≥ `minRows` rows of
/// x): small products take the GEMM's small-M path, which wants W as it is. Costs a copy of each weight.
enum WeightPrepacking {
    static let minRows = 64

    /// Returns the bytes of the packed copies made.
    @discardableResult
    static func run(_ graph: inout CapturedGraph) -> Int {
        var packed: [ValueView: Int] = [:]
        var bytes = 0
        for i in graph.nodes.indices where !graph.nodes[i].removed && graph.nodes[i].op == .linear(prepacked: false) {
            guard let x = graph.nodes[i].inputs[0], let w = graph.nodes[i].inputs[1], graph.isConstant(w, rank: 2),
                  case .constant(let c) = w.value, x.shape.dropLast().reduce(1, *) >= minRows else { continue }
            let index: Int
            if let existing = packed[w] {
                index = existing
            } else {
                // W [N, K] → Wᵀ [K, N], row-major.
                let transposed = w.tensor(over: graph.constants[c]).transposed().hostContiguous()
                index = graph.constants.count
                graph.constants.append(transposed.storage)
                packed[w] = index
                bytes += transposed.byteCount
            }
            graph.nodes[i].op = .linear(prepacked: true)
            graph.nodes[i].inputs[1] = ValueView(.constant(index), dtype: .f32, shape: [w.shape[1], w.shape[0]])
        }
        return bytes
    }
}

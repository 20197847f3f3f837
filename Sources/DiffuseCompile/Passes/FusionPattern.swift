import DiffuseCore

/// Facts the fusion passes check on a captured graph.
extension CapturedGraph {
    /// The producing node of `view` when the view is that node's whole output (standard layout, same shape).
    func wholeOutput(_ view: ValueView?) -> Int? {
        guard let view, case .node(let j) = view.value, !nodes[j].removed else { return nil }
        let produced = nodes[j].output
        guard produced.isStandard(shape: produced.shape), view.isStandard(shape: produced.shape) else { return nil }
        return j
    }

    /// True when `view` is a constant (a weight) of `rank` dimensions, f32, row-major.
    func isConstant(_ view: ValueView?, rank: Int) -> Bool {
        guard let view, case .constant = view.value else { return false }
        return view.dtype == .f32 && view.shape.count == rank && view.isStandardLayout
    }
}

extension ValueView {
    /// Row-major strides (any offset).
    var isStandardLayout: Bool { strides == Tensor.contiguousStrides(for: shape) }
}

import DiffuseCore

extension CPUBackend {
    /// Softmax over the last dimension, stable (subtracts each row's maximum). Output contiguous, x's dtype.
    public func softmax(_ x: Tensor) -> Tensor {
        require(x.rank >= 1, "softmax: input must have at least one dimension, got shape \(x.shape)")
        let input = x.contiguousF32(for: "softmax")
        let out = Tensor(uninitialized: x.shape, dtype: .f32)
        let d = x.shape[x.rank - 1]
        SoftmaxKernel.run(input.floatPointer, out.mutableFloatPointer, rows: d == 0 ? 0 : x.count / d, length: d)
        return withExtendedLifetime(input) { out.finished(as: x.dtype) }
    }
}

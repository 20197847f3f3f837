import DiffuseCore

extension CPUBackend {
    /// Σ cᵢ · xᵢ, f32, left to right with each product and sum rounded (`Op.linearCombination`): the
    /// schedulers' update rules, rounded as diffusers' float32 NumPy / torch expressions.
    /// xᵢ: one shape, any float dtype and layout → a new contiguous f32 tensor.
    public func linearCombination(_ coefficients: [Float], _ terms: [Tensor]) -> Tensor {
        require(!terms.isEmpty && terms.count == coefficients.count,
                "linearCombination: \(coefficients.count) coefficients for \(terms.count) tensors")
        let shape = terms[0].shape
        for t in terms { require(t.shape == shape, "linearCombination: shapes \(terms.map(\.shape)) differ") }
        let inputs = terms.map { $0.contiguousF32(for: "linearCombination") }
        let out = Tensor(uninitialized: shape, dtype: .f32)
        let n = out.count, dst = out.mutableFloatPointer
        let sources = inputs.map(\.floatPointer)
        withExtendedLifetime(inputs) {
            Parallel.forRanges(n, grain: 1 << 14) { range in
                // dst = c₀·x₀, then dst = dst + cᵢ·xᵢ: a product rounded, then a sum rounded (never fused).
                let first = coefficients[0]
                VectorMap.unary(sources[0] + range.lowerBound, dst + range.lowerBound, range.count) { $0 * first }
                for i in 1..<sources.count {
                    let c = coefficients[i]
                    VectorMap.binary(UnsafePointer(dst + range.lowerBound), 1, sources[i] + range.lowerBound, 1,
                                     dst + range.lowerBound, range.count) { acc, x in
                        let product = x * c
                        return acc + product
                    }
                }
            }
        }
        return out
    }
}

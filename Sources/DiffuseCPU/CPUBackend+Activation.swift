import DiffuseCore

extension CPUBackend {
    /// Elementwise activation (`Activation` documents each formula). Any layout; output contiguous, x's dtype.
    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        let input = x.contiguousF32(for: "activation(\(kind))")
        let out = Tensor(uninitialized: x.shape, dtype: .f32)
        let src = input.floatPointer, dst = out.mutableFloatPointer
        // Activations cost ~30 flops per element (gelu), so smaller chunks than a plain copy still pay off.
        Parallel.forRanges(x.count, grain: 1 << 13) { r in
            ActivationFunctions.apply(kind, src + r.lowerBound, dst + r.lowerBound, r.count)
        }
        return withExtendedLifetime(input) { out.finished(as: x.dtype) }
    }

    /// GEGLU (diffusers `GEGLU.forward` after its projection): x [..., 2D] → hidden · gelu(gate), [..., D],
    /// where hidden = x[..., :D] and gate = x[..., D:].
    public func geglu(_ x: Tensor) -> Tensor {
        require(x.rank >= 1 && x.shape[x.rank - 1] % 2 == 0,
                "geglu: last dimension must be even (hidden and gate halves), got shape \(x.shape)")
        let input = x.contiguousF32(for: "geglu")
        let twoD = x.shape[x.rank - 1], d = twoD / 2
        let rows = d == 0 ? 0 : x.count / twoD
        var outShape = x.shape
        outShape[x.rank - 1] = d
        let out = Tensor(uninitialized: outShape, dtype: .f32)
        let src = input.floatPointer, dst = out.mutableFloatPointer
        // x [rows, 2D] → out [rows, D]
        VectorMap.forRows(rows, rowLength: twoD, grain: 1 << 13) { rowRange in
            for r in rowRange {
                let hidden = src + r * twoD
                VectorMap.binary(hidden, 1, hidden + d, 1, dst + r * d, d) { h, g in h * ActivationFunctions.gelu(g) }
            }
        }
        return withExtendedLifetime(input) { out.finished(as: x.dtype) }
    }
}

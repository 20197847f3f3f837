import DiffuseCore

extension CPUBackend {
    /// a + b with NumPy broadcasting. Any layouts (f32 views are read in place); output contiguous, a's dtype.
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor {
        broadcastBinary("add", a, b) { $0 + $1 }
    }

    /// a · b with NumPy broadcasting. Any layouts; output contiguous, a's dtype.
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor {
        broadcastBinary("mul", a, b) { $0 * $1 }
    }

    /// a − b with NumPy broadcasting. Any layouts; output contiguous, a's dtype.
    public func sub(_ a: Tensor, _ b: Tensor) -> Tensor {
        broadcastBinary("sub", a, b) { $0 - $1 }
    }

    /// x / divisor elementwise (a true division). Output contiguous, x's dtype.
    public func divide(_ x: Tensor, by divisor: Float) -> Tensor {
        unary("divide", x) { $0 / divisor }
    }

    /// min(max(x, lower), upper) elementwise; NaN stays NaN (as `torch.clamp`). Output contiguous, x's dtype.
    public func clamp(_ x: Tensor, lower: Float, upper: Float) -> Tensor {
        let lo = SIMD16<Float>(repeating: lower), hi = SIMD16<Float>(repeating: upper)
        return unary("clamp", x) { v in v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi) }
    }

    /// x · scale elementwise. Output contiguous, x's dtype.
    public func scale(_ x: Tensor, by scale: Float) -> Tensor {
        unary("scale", x) { $0 * scale }
    }

    @inline(__always)
    private func unary(_ op: String, _ x: Tensor, _ f: (SIMD16<Float>) -> SIMD16<Float>) -> Tensor {
        let input = x.contiguousF32(for: op)
        let out = Tensor(uninitialized: x.shape, dtype: .f32)
        VectorMap.parallelUnary(input.floatPointer, out.mutableFloatPointer, x.count, f)
        return withExtendedLifetime(input) { out.finished(as: x.dtype) }
    }

    @inline(__always)
    private func broadcastBinary(_ op: String, _ a: Tensor, _ b: Tensor,
                                 _ f: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>) -> Tensor {
        let fa = a.f32(for: op), fb = b.f32(for: op)
        guard let layout = BroadcastLayout(aShape: fa.shape, aStrides: fa.strides, bShape: fb.shape, bStrides: fb.strides) else {
            fatalError("\(op): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let out = Tensor(uninitialized: layout.outputShape, dtype: .f32)
        BroadcastBinary.run(layout, fa.floatPointer, fb.floatPointer, out.mutableFloatPointer, f)
        return withExtendedLifetime((fa, fb)) { out.finished(as: a.dtype) }
    }
}

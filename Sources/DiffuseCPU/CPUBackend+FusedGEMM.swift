import DiffuseCore

/// The fused ops (`Op.linear`, `Op.pointwiseConv`, which compile's fusion passes create): one GEMM whose C
/// starts as residual + bias (`beta = 1`), instead of a GEMM followed by one or two elementwise passes
/// (each reading and writing the whole output). f32 with contiguous weights runs `GEMM.sgemm` directly;
/// anything else runs the op sequence eager runs (same result, not faster), so a fused op is always valid.
extension CPUBackend {
    /// x [..., K] · Wᵀ (+ bias [N]) (+ residual [..., N]) → [..., N]; `weight` is W [N, K], or Wᵀ [K, N]
    /// when `prepacked`.
    public func linear(_ x: Tensor, weight: Tensor, prepacked: Bool, bias: Tensor?, residual: Tensor?) -> Tensor {
        let backend = self
        let k = x.shape.last ?? 0, n = prepacked ? weight.shape[1] : weight.shape[0]
        let outShape = Array(x.shape.dropLast()) + [n]
        let allF32 = [x, weight, bias, residual].allSatisfy { $0 == nil || $0!.dtype == .f32 }
        guard allF32, weight.isContiguous, bias?.isContiguous ?? true, k > 0 else {
            var y = prepacked ? backend.matmul(x, weight) : backend.matmul(x, weight, transposeB: true)
            if let bias { y = backend.add(y, bias) }
            if let residual { y = backend.add(y, residual) }
            return y
        }
        let a = x.hostContiguous()
        let m = a.count / k
        let out = Tensor(uninitialized: outShape, dtype: .f32)
        withExtendedLifetime((a, weight, bias, residual)) {
            let seeded = seed(out, rows: m, columns: n, residual: residual,
                              columnBias: bias.map { UnsafePointer($0.pointer(as: Float.self)) }, rowBias: nil)
            GEMM.sgemm(transA: false, transB: !prepacked, m: m, n: n, k: k, alpha: 1,
                       a: a.pointer(as: Float.self), lda: k, b: weight.pointer(as: Float.self), ldb: prepacked ? n : k,
                       beta: seeded ? 1 : 0, c: out.pointer(as: Float.self), ldc: n)
        }
        return out
    }

    /// conv1×1(x [B, Cin, H, W], weight [Cout, Cin, 1, 1], bias [Cout]?) + residual [B, Cout, H, W].
    public func pointwiseConv(_ x: Tensor, weight: Tensor, bias: Tensor?, residual: Tensor) -> Tensor {
        let backend = self
        let (images, cin, cout) = (x.shape[0], x.shape[1], weight.shape[0])
        let pixels = x.shape[2] * x.shape[3]
        let allF32 = [x, weight, bias, residual].allSatisfy { $0 == nil || $0!.dtype == .f32 }
        guard allF32, weight.isContiguous, bias?.isContiguous ?? true, cin > 0 else {
            return backend.add(backend.conv2d(x, weight: weight, bias: bias, stride: 1, padding: 0), residual)
        }
        let input = x.hostContiguous()
        let out = Tensor(uninitialized: [images, cout, x.shape[2], x.shape[3]], dtype: .f32)
        withExtendedLifetime((input, weight, bias, residual)) {
            _ = seed(out, rows: images * cout, columns: pixels, residual: residual, columnBias: nil,
                     rowBias: bias.map { (UnsafePointer($0.pointer(as: Float.self)), cout) })
            // Per image: out[b] [Cout, HW] += W [Cout, Cin] · x[b] [Cin, HW]
            for image in 0..<images {
                GEMM.sgemm(transA: false, transB: false, m: cout, n: pixels, k: cin, alpha: 1,
                           a: weight.pointer(as: Float.self), lda: cin,
                           b: input.pointer(as: Float.self) + image * cin * pixels, ldb: pixels,
                           beta: 1, c: out.pointer(as: Float.self) + image * cout * pixels, ldc: pixels)
            }
        }
        return out
    }

    /// Fills `out` [rows, columns] (contiguous f32) with residual + bias, where the bias is per column or
    /// per row (index row % period). Returns false (nothing written) when there is neither.
    private func seed(_ out: Tensor, rows: Int, columns: Int, residual: Tensor?, columnBias: UnsafePointer<Float>?,
                     rowBias: (UnsafePointer<Float>, period: Int)?) -> Bool {
        guard residual != nil || columnBias != nil || rowBias != nil else { return false }
        let dst = out.pointer(as: Float.self)
        var source: UnsafePointer<Float>? = nil
        if let residual {
            if residual.isContiguous {
                source = UnsafePointer(residual.pointer(as: Float.self))
            } else {
                residual.copyStrided(to: out.rawPointer)
                source = UnsafePointer(dst)
            }
        }
        let src = source
        Parallel.forRanges(rows, grain: max(1, 16_384 / max(columns, 1))) { range in
            for r in range {
                let d = dst + r * columns, s = src.map { $0 + r * columns }
                if let columnBias {
                    if let s { for j in 0..<columns { d[j] = s[j] + columnBias[j] } }
                    else { d.update(from: columnBias, count: columns) }
                } else if let (bias, period) = rowBias {
                    let v = bias[r % period]
                    if let s { for j in 0..<columns { d[j] = s[j] + v } }
                    else { d.update(repeating: v, count: columns) }
                } else if let s, s != UnsafePointer(d) {
                    d.update(from: s, count: columns)
                }
            }
        }
        return true
    }
}

import DiffuseCore
import DiffuseTestSupport

/// Plain Double-precision reference loops for the GEMM and convolution tests.
enum Reference {
    /// C[m, n] = alpha · op(A) · op(B) + beta · C with BLAS row-major conventions, in Double.
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                     a: [Float], lda: Int, b: [Float], ldb: Int, beta: Double, c: [Float], ldc: Int) -> [Double] {
        var out = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = Double(transA ? a[p * lda + i] : a[i * lda + p])
                    let y = Double(transB ? b[j * ldb + p] : b[p * ldb + j])
                    sum += x * y
                }
                out[i * n + j] = alpha * sum + (beta == 0 ? 0 : beta * Double(c[i * ldc + j]))
            }
        }
        return out
    }

    /// Matrix product of the last two dimensions of any-layout tensors (batch dims equal, or b 2-D), in Double.
    static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> [Double] {
        let m = transposeA ? a.size(-1) : a.size(-2), k = transposeA ? a.size(-2) : a.size(-1)
        let n = transposeB ? b.size(-2) : b.size(-1)
        let batchShape = a.rank > 2 ? Array(a.shape.dropLast(2)) : Array(b.shape.dropLast(2))
        let batch = batchShape.reduce(1, *)
        let af = a.hostContiguous().floats(), bf = b.hostContiguous().floats()
        let aStride = a.rank > 2 ? m * k : 0, bStride = b.rank > 2 ? k * n : 0
        var out = [Double](repeating: 0, count: batch * m * n)
        for t in 0..<batch {
            for i in 0..<m {
                for j in 0..<n {
                    var sum = 0.0
                    for p in 0..<k {
                        let x = Double(af[t * aStride + (transposeA ? p * m + i : i * k + p)])
                        let y = Double(bf[t * bStride + (transposeB ? j * k + p : p * n + j)])
                        sum += x * y
                    }
                    out[(t * m + i) * n + j] = sum
                }
            }
        }
        return out
    }

    /// Direct convolution, NCHW, in Double.
    static func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> [Double] {
        let (n, cin, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, kh, kw) = (weight.shape[0], weight.shape[2], weight.shape[3])
        let ho = (h + 2 * padding - kh) / stride + 1, wo = (w + 2 * padding - kw) / stride + 1
        let xf = x.hostContiguous().floats(), wf = weight.hostContiguous().floats(), bf = bias?.floats()
        var out = [Double](repeating: 0, count: n * cout * ho * wo)
        for b in 0..<n {
            for co in 0..<cout {
                for oy in 0..<ho {
                    for ox in 0..<wo {
                        var sum = bf.map { Double($0[co]) } ?? 0
                        for ci in 0..<cin {
                            for ky in 0..<kh {
                                let iy = oy * stride + ky - padding
                                if iy < 0 || iy >= h { continue }
                                for kx in 0..<kw {
                                    let ix = ox * stride + kx - padding
                                    if ix < 0 || ix >= w { continue }
                                    sum += Double(wf[((co * cin + ci) * kh + ky) * kw + kx])
                                        * Double(xf[((b * cin + ci) * h + iy) * w + ix])
                                }
                            }
                        }
                        out[((b * cout + co) * ho + oy) * wo + ox] = sum
                    }
                }
            }
        }
        return out
    }

    /// The bf16 rounding of each value, as Float (what a bf16 kernel actually multiplies).
    static func roundedToBF16(_ values: [Float]) -> [Float] {
        values.map { BFloat16.float(fromBits: BFloat16.bits(from: $0)) }
    }
}

import CDiffuseKernels
import DiffuseCore

/// The bf16 Linear product of `--precision bf16`: x f32 × a bf16 weight → f32.
extension GEMM {
    /// alpha · x · op(W): x [..., K] f32, weight [N, K] (transposeB, a Linear weight) or [K, N] bf16 →
    /// [..., N] f32. x is rounded to bf16 (nearest even) while it is packed, the weight is packed once per
    /// weight tensor (`cache`; nil packs per call), products are accumulated in f32.
    /// Call only when `bf16Available`.
    public static func bf16Linear(_ x: Tensor, weight: Tensor, transposeB: Bool, alpha: Float = 1,
                                  cache: BF16WeightCache? = .shared, threads: Int? = nil) -> Tensor {
        require(bf16Available, "bf16Linear: this CPU has no AVX512-BF16; use the f32 path")
        require(x.dtype == .f32 && weight.dtype == .bf16 && weight.rank == 2 && x.rank >= 1,
                "bf16Linear: needs x f32 [..., K] and a 2-D bf16 weight; got x \(x.dtype) \(x.shape), weight \(weight.dtype) \(weight.shape)")
        let k = x.size(-1), n = transposeB ? weight.size(0) : weight.size(1)
        require(k == (transposeB ? weight.size(1) : weight.size(0)),
                "bf16Linear: x has \(k) features, weight \(weight.shape) (transposeB: \(transposeB)) expects \(transposeB ? weight.size(1) : weight.size(0))")
        let m = x.count / max(k, 1)
        let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [n], dtype: .f32)
        if m == 0 || n == 0 { return out }
        let input = x.hostContiguous()
        let blocking = bf16Blocking
        // op(B)[p, j]: [N, K] → w[j·K + p]; [K, N] → w[p·N + j].
        let packed = packedWeight(weight, role: transposeB ? "B-nk" : "B-kn", lines: n, depth: k, kc: blocking.kc,
                                  cache: cache) { w in
            BF16StridedSource(base: w, lineStride: transposeB ? k : 1, depthStride: transposeB ? 1 : n,
                              width: Int(DIFFUSE_BF16_NR))
        }
        withExtendedLifetime(input) {
            let a = BF16F32RowsSource(base: input.pointer(as: Float.self), rowStride: k)
            BF16Driver.run(m: m, n: n, k: k, alpha: alpha, a: a,
                           problems: [(b: packed, c: OutputMatrix(base: out.pointer(as: Float.self), ld: n))],
                           beta: 0, threads: threads ?? Parallel.threadCount, blocking: blocking)
        }
        return out
    }

    /// `weight` (bf16, made contiguous) packed as `lines` × `depth` by the source `make` builds on its bits,
    /// from `cache` when given (`role` tells packings of one tensor apart).
    static func packedWeight(_ weight: Tensor, role: String, lines: Int, depth: Int, kc: Int,
                             cache: BF16WeightCache?,
                             _ make: @escaping (UnsafePointer<UInt16>) -> BF16StridedSource) -> BF16PackedMatrix {
        let pack = {
            let w = weight.hostContiguous()
            return withExtendedLifetime(w) {
                BF16PackedMatrix(packing: make(UnsafePointer(w.pointer(as: UInt16.self))), lines: lines,
                                 depth: depth, kc: kc)
            }
        }
        guard let cache else { return pack() }
        return cache.matrix(for: weight, role: role, kc: kc, pack: pack)
    }
}

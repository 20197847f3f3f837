import CDiffuseKernels
import DiffuseCore

/// bf16-input, f32-accumulate GEMM (AVX512-BF16 `vdpbf16ps`; kernels in CDiffuseKernels/bf16_gemm.c).
///
/// `bf16gemm`: C[m, n] (f32) = alpha · op(A)[m, k] · op(B)[k, n] + beta · C, A and B given as bf16 bits,
/// with the same transposition and leading-dimension conventions as `sgemm`. Call it only when
/// `CPUFeatures.current.avx512bf16`; elsewhere convert to f32 and use `sgemm`.
extension GEMM {
    public static var bf16Available: Bool { CPUFeatures.current.avx512bf16 }

    public static func bf16gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                a: UnsafePointer<UInt16>, lda: Int, b: UnsafePointer<UInt16>, ldb: Int,
                                beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int? = nil) {
        checkArguments("bf16gemm", transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        bf16Driver(m: m, n: n, k: k, alpha: alpha,
                   a: a, aRowStride: transA ? 1 : lda, aColumnStride: transA ? lda : 1,
                   b: b, bRowStride: transB ? 1 : ldb, bColumnStride: transB ? ldb : 1,
                   beta: beta, c: c, ldc: ldc, threads: threads ?? Parallel.threadCount)
    }

    /// dst[i] = bf16(src[i]) (round to nearest even) for i < count; vectorised when the CPU has AVX512-BF16.
    public static func convertToBF16(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<UInt16>, count: Int) {
        if CPUFeatures.current.avx512bf16 {
            let s = UncheckedBox(src), d = UncheckedBox(dst)
            Parallel.forRanges(count, grain: 1 << 16) { r in
                diffuse_f32_to_bf16(s.value + r.lowerBound, d.value + r.lowerBound, r.count)
            }
        } else {
            for i in 0..<count { dst[i] = BFloat16.bits(from: src[i]) }
        }
    }

    /// Blocking of the bf16 kernel: kc even, mc a multiple of 12, nc a multiple of 32. The kernel keeps one
    /// packed A micro-panel (12 × kc) in L1 and streams the B block (kc × nc × 2 bytes = 384 KiB) from L2,
    /// which leaves L2 room for the C rows being updated; mc is the rows of A packed at a time (with a
    /// pre-packed B also the rows of a C block kept in L2, see `BF16Driver`). Pre-packed weights are packed
    /// with this kc (`BF16WeightCache` keys include it). Chosen from kc ∈ {256 … 1024} × nc ∈ {384, 512,
    /// 768, 1024} on the SD 1.5 convolutions (one thread, CPU time, shared machine): nc 1024 was up to 20 %
    /// slower on 320 channels at 64², the rest within the noise (± 10 %).
    nonisolated(unsafe) public static var bf16Blocking = GEMMBlocking(kc: 384, mc: 96, nc: 512)

    /// The bf16 GEMM on strided bf16 operands (`BF16Driver` with both operands packed per call).
    static func bf16Driver(m: Int, n: Int, k: Int, alpha: Float,
                           a: UnsafePointer<UInt16>, aRowStride: Int, aColumnStride: Int,
                           b: UnsafePointer<UInt16>, bRowStride: Int, bColumnStride: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        let a = BF16StridedSource(base: a, lineStride: aRowStride, depthStride: aColumnStride, width: Int(DIFFUSE_BF16_MR))
        let b = BF16StridedSource(base: b, lineStride: bColumnStride, depthStride: bRowStride, width: Int(DIFFUSE_BF16_NR))
        BF16Driver.run(m: m, n: n, k: k, alpha: alpha, a: a, problems: [(b: b, c: OutputMatrix(base: c, ld: ldc))],
                       beta: beta, threads: threads, blocking: bf16Blocking)
    }
}

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
    /// packed A micro-panel in L1 and streams the packed B block (kc × nc × 2 bytes) from L2.
    nonisolated(unsafe) public static var bf16Blocking = GEMMBlocking(kc: 384, mc: 4096, nc: 1024)

    /// The blocked, threaded bf16 GEMM on strided operands: the same rectangles and loops as `GEMMDriver`
    /// (see there), with the packing and the 12 × 32 micro-kernel in C. A is always packed (k in pairs).
    static func bf16Driver(m: Int, n: Int, k: Int, alpha: Float,
                           a: UnsafePointer<UInt16>, aRowStride: Int, aColumnStride: Int,
                           b: UnsafePointer<UInt16>, bRowStride: Int, bColumnStride: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        if m <= 0 || n <= 0 { return }
        if k <= 0 || alpha == 0 { GEMMDriver.scale(OutputMatrix(base: c, ld: ldc), m: m, n: n, by: beta); return }
        let mr = Int(DIFFUSE_BF16_MR), nr = Int(DIFFUSE_BF16_NR)
        let blocking = bf16Blocking
        let kcStep = (blocking.kc + 1) / 2 * 2
        let mcStep = (blocking.mc + mr - 1) / mr * mr, ncStep = (blocking.nc + nr - 1) / nr * nr
        let partition = GEMMPartition(m: m, n: n, mr: mr, nr: nr, nc: ncStep, threads: threads)
        let operands = UncheckedBox((a, b, c))
        GEMMDriver.runTasks(partition.count, threads: threads) { t in
            let (a, b, c) = operands.value
            let (rows, columns) = partition.rectangle(t)
            let kcMax = min(kcStep, k), kpMax = (kcMax + 1) / 2
            let ncMax = min(ncStep, (columns.count + nr - 1) / nr * nr)
            let mcMax = min(mcStep, (rows.count + mr - 1) / mr * mr)
            let bBlock = allocatePacking(UInt16.self, count: 2 * kpMax * ncMax)
            defer { freePacking(bBlock) }
            let aBlock = allocatePacking(UInt16.self, count: 2 * kpMax * mcMax)
            defer { freePacking(aBlock) }
            for jc in stride(from: columns.lowerBound, to: columns.upperBound, by: ncStep) {
                let ncur = min(ncStep, columns.upperBound - jc)
                for pc in stride(from: 0, to: k, by: kcStep) {
                    let kcur = min(kcStep, k - pc)
                    diffuse_bf16_pack_b(b + pc * bRowStride + jc * bColumnStride, bRowStride, bColumnStride,
                                        Int32(kcur), Int32(ncur), bBlock)
                    for ic in stride(from: rows.lowerBound, to: rows.upperBound, by: mcStep) {
                        let mcur = min(mcStep, rows.upperBound - ic)
                        diffuse_bf16_pack_a(a + ic * aRowStride + pc * aColumnStride, aRowStride, aColumnStride,
                                            Int32(mcur), Int32(kcur), aBlock)
                        diffuse_bf16_macro_kernel(Int32(mcur), Int32(ncur), Int32(kcur), aBlock, bBlock,
                                                  c + ic * ldc + jc, ldc, alpha, pc == 0 ? beta : 1)
                    }
                }
            }
        }
    }
}

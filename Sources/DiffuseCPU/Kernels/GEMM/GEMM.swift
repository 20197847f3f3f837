import DiffuseCore
/// BLAS-style f32 matrix multiplication, row-major.
///
/// `sgemm`: C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C, where op(X) = X or Xᵀ.
///   A is stored m × k (lda ≥ k) or, with transA, k × m (lda ≥ m); likewise B is k × n (ldb ≥ n) or n × k
///   (ldb ≥ k); C is m × n with ldc ≥ n. beta = 0 does not read C.
/// Multithreaded through `Parallel`: `threads` defaults to `Parallel.threadCount`; pass 1 when calling from
/// inside a task of your own `Parallel.forEach` (e.g. one attention head per task).
///
/// Measured on the 2-core Zen 4 box (release build, a stand-alone lab, timed on CPU clocks because the
/// machine was shared): FMA peak 117.7 GFLOP/s per core; sgemm 4096³ ≈ 95–99 GFLOP/s on one thread
/// (≈ 106 with operands in cache), ≈ 175 on two; bf16gemm 4096³ ≈ 170–179 on one thread, ≈ 340–358 on two.
/// After the packed-A single-thread path and aligned packing buffers (the same lab, CPU clocks, A/B
/// against the previous code in the same runs): sgemm 4096³ ≈ 101–105 on one thread (was ≈ 95–97),
/// ≈ 190–200 on two (unchanged); bf16 unchanged.
public enum GEMM {
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int? = nil) {
        checkArguments("sgemm", transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        GEMMDriver.runMatrix(m: m, n: n, k: k, alpha: alpha, a: StridedMatrix(a, ld: lda, transposed: transA),
                       b: StridedMatrix(b, ld: ldb, transposed: transB), beta: beta,
                       c: OutputMatrix(base: c, ld: ldc), threads: threads ?? Parallel.threadCount)
    }

    /// `batch` independent sgemms; problem i uses a + i·strideA, b + i·strideB, c + i·strideC.
    /// strideB = 0 shares one B (a weight) across the batch; likewise strideA = 0.
    /// Small problems run one per thread; large ones one after another, each on all threads.
    public static func sgemmBatched(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                    a: UnsafePointer<Float>, lda: Int, strideA: Int,
                                    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
                                    batch: Int, threads: Int? = nil) {
        checkArguments("sgemmBatched", transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        require(batch >= 0, "sgemmBatched: negative batch \(batch)")
        runBatched(batch, m: m, n: n, k: k, threads: threads) { i, threads in
            GEMMDriver.runMatrix(m: m, n: n, k: k, alpha: alpha,
                           a: StridedMatrix(a + i * strideA, ld: lda, transposed: transA),
                           b: StridedMatrix(b + i * strideB, ld: ldb, transposed: transB), beta: beta,
                           c: OutputMatrix(base: c + i * strideC, ld: ldc), threads: threads)
        }
    }

    /// Runs problems 0..<batch of size m × n × k: one per thread when there are enough of them and each is
    /// too small to split well, otherwise one after another, each on all threads. `problem(i, threads)`.
    static func runBatched(_ batch: Int, m: Int, n: Int, k: Int, threads: Int? = nil,
                           _ problem: (Int, Int) -> Void) {
        let threads = threads ?? Parallel.threadCount
        let small = Double(m) * Double(n) * Double(k) < 32e6
        if batch >= threads && threads > 1 && small {
            Parallel.forEach(batch) { problem($0, 1) }
        } else {
            for i in 0..<batch { problem(i, threads) }
        }
    }

    static func checkArguments(_ name: String, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                               lda: Int, ldb: Int, ldc: Int) {
        require(m >= 0 && n >= 0 && k >= 0, "\(name): negative size m \(m), n \(n), k \(k)")
        require(lda >= max(1, transA ? m : k), "\(name): lda \(lda) < \(transA ? "m" : "k") = \(transA ? m : k)")
        require(ldb >= max(1, transB ? k : n), "\(name): ldb \(ldb) < \(transB ? "k" : "n") = \(transB ? k : n)")
        require(ldc >= max(1, n), "\(name): ldc \(ldc) < n = \(n)")
    }
}

/// BLAS-style f32 matrix multiplication, row-major.
///
/// `sgemm`: C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C, where op(X) = X or Xᵀ.
///   A is stored m × k (lda ≥ k) or, with transA, k × m (lda ≥ m); likewise B is k × n (ldb ≥ n) or n × k
///   (ldb ≥ k); C is m × n with ldc ≥ n. beta = 0 does not read C.
/// Multithreaded through `Parallel` (`Parallel.threadCount` threads).
public enum GEMM {
    public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        checkArguments("sgemm", transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        GEMMDriver.run(m: m, n: n, k: k, alpha: alpha, a: StridedMatrix(a, ld: lda, transposed: transA),
                       b: StridedMatrix(b, ld: ldb, transposed: transB), beta: beta,
                       c: OutputMatrix(base: c, ld: ldc), threads: Parallel.threadCount)
    }

    /// `batch` independent sgemms; problem i uses a + i·strideA, b + i·strideB, c + i·strideC.
    /// strideB = 0 shares one B (a weight) across the batch; likewise strideA = 0.
    /// Small problems run one per thread; large ones one after another, each on all threads.
    public static func sgemmBatched(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                    a: UnsafePointer<Float>, lda: Int, strideA: Int,
                                    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
                                    batch: Int) {
        checkArguments("sgemmBatched", transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
        precondition(batch >= 0, "sgemmBatched: negative batch \(batch)")
        runBatched(batch, m: m, n: n, k: k) { i, threads in
            GEMMDriver.run(m: m, n: n, k: k, alpha: alpha,
                           a: StridedMatrix(a + i * strideA, ld: lda, transposed: transA),
                           b: StridedMatrix(b + i * strideB, ld: ldb, transposed: transB), beta: beta,
                           c: OutputMatrix(base: c + i * strideC, ld: ldc), threads: threads)
        }
    }

    /// Runs problems 0..<batch of size m × n × k: one per thread when there are enough of them and each is
    /// too small to split well, otherwise one after another, each on all threads. `problem(i, threads)`.
    static func runBatched(_ batch: Int, m: Int, n: Int, k: Int, _ problem: (Int, Int) -> Void) {
        let threads = Parallel.threadCount
        let small = Double(m) * Double(n) * Double(k) < 32e6
        if batch >= threads && threads > 1 && small {
            Parallel.forEach(batch) { problem($0, 1) }
        } else {
            for i in 0..<batch { problem(i, threads) }
        }
    }

    static func checkArguments(_ name: String, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                               lda: Int, ldb: Int, ldc: Int) {
        precondition(m >= 0 && n >= 0 && k >= 0, "\(name): negative size m \(m), n \(n), k \(k)")
        precondition(lda >= max(1, transA ? m : k), "\(name): lda \(lda) < \(transA ? "m" : "k") = \(transA ? m : k)")
        precondition(ldb >= max(1, transB ? k : n), "\(name): ldb \(ldb) < \(transB ? "k" : "n") = \(transB ? k : n)")
        precondition(ldc >= max(1, n), "\(name): ldc \(ldc) < n = \(n)")
    }
}

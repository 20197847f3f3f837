import Testing
import DiffuseCore
import DiffuseTestSupport
@testable import DiffuseCPU

/// f32 GEMM against a Double reference.
///
/// Tolerance: a length-K f32 dot product of values in [-1, 1] has a rounding error that grows like
/// √K · ε · (typical |term|) for random signs and at worst K · ε; with ε = 6e-8, atol = 1e-6 · √K (≈ 16 ε√K)
/// plus rtol 1e-5 leaves room for the blocked summation order while any indexing mistake (errors of O(1))
/// fails loudly.
struct GEMMTests {
    static func tolerance(k: Int) -> (rtol: Double, atol: Double) { (1e-5, 1e-6 * Double(max(k, 1)).squareRoot()) }

    struct Case: CustomTestStringConvertible, Sendable {
        var m, n, k: Int
        var transA = false, transB = false
        var padA = 0, padB = 0, padC = 0
        var alpha: Float = 1, beta: Float = 0
        var testDescription: String {
            "\(m)x\(n)x\(k) tA \(transA) tB \(transB) pad \(padA)/\(padB)/\(padC) α \(alpha) β \(beta)"
        }
    }

    /// Runs one sgemm with random inputs (and a NaN-free random C) and compares it with the reference.
    /// `threads` given: through `GEMMDriver.run` on that many threads (or `GEMM.sgemm` with `viaSGEMM`).
    static func check(_ t: Case, threads: Int? = nil, viaSGEMM: Bool = false, seed: UInt64 = 1) {
        var random = TestRandom(seed: seed)
        let lda = (t.transA ? t.m : t.k) + t.padA, ldb = (t.transB ? t.k : t.n) + t.padB, ldc = t.n + t.padC
        let a = random.floats(max(1, (t.transA ? t.k : t.m) * lda))
        let b = random.floats(max(1, (t.transB ? t.n : t.k) * ldb))
        var c = random.floats(max(1, t.m * ldc))
        let expected = Reference.gemm(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k,
                                      alpha: Double(t.alpha), a: a, lda: lda, b: b, ldb: ldb,
                                      beta: Double(t.beta), c: c, ldc: ldc)
        let padding = c
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    if let threads, viaSGEMM {
                        GEMM.sgemm(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                                   a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                   beta: t.beta, c: pc.baseAddress!, ldc: ldc, threads: threads)
                    } else if let threads {
                        GEMMDriver.run(m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                                       a: StridedMatrix(pa.baseAddress!, ld: lda, transposed: t.transA),
                                       b: StridedMatrix(pb.baseAddress!, ld: ldb, transposed: t.transB),
                                       beta: t.beta, c: OutputMatrix(base: pc.baseAddress!, ld: ldc), threads: threads)
                    } else {
                        GEMM.sgemm(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                                   a: pa.baseAddress!, lda: lda, b: pb.baseAddress!, ldb: ldb,
                                   beta: t.beta, c: pc.baseAddress!, ldc: ldc)
                    }
                }
            }
        }
        // Compare the m × n part; the padding columns of C must be untouched.
        var actual = [Float](), untouched = true
        for i in 0..<t.m {
            for j in 0..<ldc {
                if j < t.n { actual.append(c[i * ldc + j]) } else if c[i * ldc + j] != padding[i * ldc + j] { untouched = false }
            }
        }
        let (rtol, atol) = tolerance(k: t.k)
        let report = closeness(Tensor(actual, shape: [t.m, t.n]), expected, shape: [t.m, t.n], rtol: rtol, atol: atol)
        #expect(report.passes, "\(t.testDescription): \(report)")
        #expect(untouched, "\(t.testDescription): wrote outside the m × n part of C")
    }

    static let oddSizes: [Case] = [
        Case(m: 1, n: 1, k: 1), Case(m: 7, n: 17, k: 33), Case(m: 17, n: 7, k: 100), Case(m: 33, n: 100, k: 7),
        Case(m: 6, n: 16, k: 1), Case(m: 100, n: 33, k: 17), Case(m: 12, n: 48, k: 64),
    ]

    @Test(arguments: oddSizes)
    func oddSizesAllTransposes(_ base: Case) {
        for transA in [false, true] {
            for transB in [false, true] {
                var t = base
                t.transA = transA
                t.transB = transB
                Self.check(t)
            }
        }
    }

    @Test func stridedLeadingDimensions() {
        for transA in [false, true] {
            for transB in [false, true] {
                Self.check(Case(m: 19, n: 23, k: 29, transA: transA, transB: transB, padA: 3, padB: 5, padC: 7))
            }
        }
    }

    @Test(arguments: [(Float(1), Float(1)), (0.5, -2), (-1.5, 0.25), (0, 3), (2, 0)])
    func alphaBeta(alpha: Float, beta: Float) {
        Self.check(Case(m: 13, n: 21, k: 9, padC: 2, alpha: alpha, beta: beta))
        Self.check(Case(m: 13, n: 21, k: 0, padA: 1, alpha: alpha, beta: beta))
    }

    /// beta = 0 must not read C: NaNs there may not leak into the result.
    @Test func betaZeroIgnoresNaNInC() {
        let a = [Float](repeating: 1, count: 4 * 3), b = [Float](repeating: 2, count: 3 * 5)
        var c = [Float](repeating: .nan, count: 4 * 5)
        GEMM.sgemm(transA: false, transB: false, m: 4, n: 5, k: 3, alpha: 1, a: a, lda: 3, b: b, ldb: 5,
                   beta: 0, c: &c, ldc: 5, threads: 1)
        #expect(c.allSatisfy { $0 == 6 })
    }

    /// Sizes that cross the blocking (kc, nc and mc boundaries) on one and two threads.
    @Test(arguments: [1, 2])
    func crossesBlockBoundaries(threads: Int) {
        let blocking = GEMMBlocking.current
        Self.check(Case(m: 9, n: 20, k: blocking.kc + 37, transA: true), threads: threads)
        Self.check(Case(m: 3, n: blocking.nc + 21, k: 5, transB: true), threads: threads)
        Self.check(Case(m: 7, n: 3 * blocking.nc + 5, k: 3), threads: threads)
        Self.check(Case(m: blocking.mc + 11, n: 40, k: 21, beta: 1), threads: threads)
        Self.check(Case(m: 70, n: 3, k: 50, transA: true, transB: true), threads: threads)
    }

    /// Large single-threaded problems take the packed-A path (`GEMMDriver.runRectanglePackedA`): edges in
    /// m, n and k past its blocks, every transpose, alpha and beta.
    @Test func packedAPathEdges() {
        Self.check(Case(m: 101, n: 1030, k: 400), threads: 1)
        Self.check(Case(m: 397, n: 1037, k: 263, transA: true, transB: true, alpha: 0.5, beta: 1), threads: 1)
        Self.check(Case(m: 96, n: 1024, k: 770, transB: true, beta: -2), threads: 1)
    }

    /// Few rows against a k-contiguous B (`GEMMDriver.runMatrix` computes Cᵀ = op(B)ᵀ · op(A)ᵀ): a row,
    /// cross-attention's 77, 96 and 150 rows, k past the deepened block, padded leading dimensions, transposed A,
    /// alpha and beta; on one and two threads.
    @Test(arguments: [1, 2])
    func smallRowsTransposedProduct(threads: Int) {
        let cases = [
            Case(m: 1, n: 1280, k: 320, transB: true), Case(m: 77, n: 320, k: 768, transB: true, padB: 3, padC: 5),
            Case(m: 96, n: 400, k: 33, transA: true, transB: true, padA: 2, alpha: -0.5, beta: 2),
            Case(m: 16, n: 130, k: 3100, transB: true, beta: 1), Case(m: 5, n: 21, k: 17, transB: true, alpha: 3),
            Case(m: 150, n: 700, k: 40, transB: true),
        ]
        for t in cases {
            let b = StridedMatrix([Float(0)], ld: t.k + t.padB, transposed: true)
            #expect(GEMMDriver.usesTransposedSmallM(m: t.m, n: t.n, k: t.k, b: b), "\(t.testDescription)")
            Self.check(t, threads: threads, viaSGEMM: true)
        }
        // Not taken: too many rows, too narrow, or B not k-contiguous.
        let b = StridedMatrix([Float(0)], ld: 64, transposed: true)
        #expect(!GEMMDriver.usesTransposedSmallM(m: 193, n: 1000, k: 64, b: b))
        #expect(!GEMMDriver.usesTransposedSmallM(m: 64, n: 255, k: 64, b: b))
        #expect(!GEMMDriver.usesTransposedSmallM(m: 8, n: 100, k: 64, b: StridedMatrix([Float(0)], ld: 100, transposed: false)))
    }

    @Test func batchedWithSharedB() {
        var random = TestRandom(seed: 7)
        let (batch, m, n, k) = (5, 9, 11, 13)
        let a = random.floats(batch * m * k), b = random.floats(k * n)
        var c = [Float](repeating: 0, count: batch * m * n)
        GEMM.sgemmBatched(transA: false, transB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, strideA: m * k,
                          b: b, ldb: n, strideB: 0, beta: 0, c: &c, ldc: n, strideC: m * n, batch: batch)
        var expected = [Double]()
        for i in 0..<batch {
            expected += Reference.gemm(transA: false, transB: false, m: m, n: n, k: k, alpha: 1,
                                       a: Array(a[i * m * k ..< (i + 1) * m * k]), lda: k, b: b, ldb: n,
                                       beta: 0, c: [], ldc: n)
        }
        let (rtol, atol) = Self.tolerance(k: k)
        let report = closeness(Tensor(c, shape: [batch, m, n]), expected, shape: [batch, m, n], rtol: rtol, atol: atol)
        #expect(report.passes, "\(report)")
    }

}

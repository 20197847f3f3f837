import Testing
import DiffuseCore
import DiffuseTestSupport
import DiffuseCPU

/// The AVX512-BF16 GEMM, run only where the CPU has it. The reference multiplies the *bf16-rounded*
/// inputs in Double, so the products are the same (a bf16 × bf16 product is exact in f32) and only the f32
/// accumulation differs: vdpbf16ps adds products in pairs, flushes denormals and rounds to nearest even.
/// That is the f32 situation of `GEMMTests` (atol ≈ 16 ε √K); rtol is 1e-4 rather than 1e-5 to leave room
/// for the different association of the pair sums on the few outputs that nearly cancel.
@Suite(.enabled(if: CPUFeatures.current.avx512bf16, "CPU has no AVX512-BF16"))
struct BF16GEMMTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var m, n, k: Int
        var transA = false, transB = false
        var pad = 0
        var alpha: Float = 1, beta: Float = 0
        var testDescription: String { "\(m)x\(n)x\(k) tA \(transA) tB \(transB) pad \(pad) α \(alpha) β \(beta)" }
    }

    static func check(_ t: Case, seed: UInt64 = 3) {
        var random = TestRandom(seed: seed)
        let lda = (t.transA ? t.m : t.k) + t.pad, ldb = (t.transB ? t.k : t.n) + t.pad, ldc = t.n + t.pad
        let a = Reference.roundedToBF16(random.floats(max(1, (t.transA ? t.k : t.m) * lda)))
        let b = Reference.roundedToBF16(random.floats(max(1, (t.transB ? t.n : t.k) * ldb)))
        var c = random.floats(max(1, t.m * ldc))
        let expected = Reference.gemm(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k,
                                      alpha: Double(t.alpha), a: a, lda: lda, b: b, ldb: ldb,
                                      beta: Double(t.beta), c: c, ldc: ldc)
        let abits = a.map { BFloat16.bits(from: $0) }, bbits = b.map { BFloat16.bits(from: $0) }
        GEMM.bf16gemm(transA: t.transA, transB: t.transB, m: t.m, n: t.n, k: t.k, alpha: t.alpha,
                      a: abits, lda: lda, b: bbits, ldb: ldb, beta: t.beta, c: &c, ldc: ldc)
        var actual = [Float]()
        for i in 0..<t.m { actual += c[i * ldc ..< i * ldc + t.n] }
        let report = closeness(Tensor(actual, shape: [t.m, t.n]), expected, shape: [t.m, t.n],
                               rtol: 1e-4, atol: 1e-6 * Double(max(t.k, 1)).squareRoot())
        #expect(report.passes, "\(t.testDescription): \(report)")
    }

    @Test(arguments: [Case(m: 1, n: 1, k: 1), Case(m: 7, n: 17, k: 33), Case(m: 13, n: 33, k: 100),
                      Case(m: 100, n: 7, k: 17), Case(m: 12, n: 32, k: 2), Case(m: 25, n: 70, k: 1100)])
    func allTransposes(_ base: Case) {
        for transA in [false, true] {
            for transB in [false, true] {
                var t = base
                t.transA = transA
                t.transB = transB
                Self.check(t)
            }
        }
    }

    @Test func stridedAlphaBeta() {
        Self.check(Case(m: 19, n: 23, k: 29, pad: 3, alpha: 0.5, beta: -1.5))
        Self.check(Case(m: 19, n: 23, k: 30, transA: true, transB: true, pad: 5, alpha: -2, beta: 1))
        Self.check(Case(m: 5, n: 6, k: 0, pad: 1, alpha: 1, beta: 0.5))
    }

    /// `vcvtneps2bf16` rounds to nearest even like `BFloat16.bits(from:)`, but treats f32 denormals as zero
    /// (they are far below anything a network produces), so those are checked separately.
    @Test func conversionMatchesScalarRounding() {
        var random = TestRandom(seed: 4)
        let values = random.floats(1000, scale: 100) + [0, -0, .infinity, -.infinity, 3.4e38, 1.00390625, 1.01171875]
        var bits = [UInt16](repeating: 0, count: values.count)
        GEMM.convertToBF16(values, &bits, count: values.count)
        #expect(bits == values.map { BFloat16.bits(from: $0) })
        let denormal = [Float(bitPattern: 0x0001_2345)]
        var denormalBits: [UInt16] = [0xFFFF]
        GEMM.convertToBF16(denormal, &denormalBits, count: 1)
        #expect(denormalBits[0] == 0 || denormalBits[0] == BFloat16.bits(from: denormal[0]))
    }
}

import Testing
import DiffuseCore
import DiffuseTestSupport
import DiffuseCPU

/// `CPUBackend.matmul`: layouts, batching, broadcasting, alpha/beta/c and dtypes against a Double reference.
/// f32 tolerance as in `GEMMTests` (≈ 16 ε √K). f16 results are rounded to f16 at the end (half an ulp,
/// 2⁻¹¹ relative), so f16 cases use rtol 1e-3.
struct MatMulTests {
    let backend = CPUBackend()

    static func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
        var random = TestRandom(seed: seed)
        return Tensor(random.floats(shape.reduce(1, *)), shape: shape)
    }

    func check(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
               rtol: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
        let result = backend.matmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0, c: nil)
        let expected = Reference.matmul(a, b, transposeA: transposeA, transposeB: transposeB)
        let k = transposeA ? a.size(-2) : a.size(-1)
        let report = closeness(result, expected, shape: result.shape, rtol: rtol, atol: 1e-6 * Double(k).squareRoot())
        #expect(report.passes, "a \(a.shape) b \(b.shape) tA \(transposeA) tB \(transposeB): \(report)",
                sourceLocation: sourceLocation)
    }

    @Test func plainAndTransposedFlags() {
        let a = Self.randomTensor([7, 33], seed: 1), b = Self.randomTensor([33, 17], seed: 2)
        check(a, b)
        check(Self.randomTensor([33, 7], seed: 3), b, transposeA: true)
        check(a, Self.randomTensor([17, 33], seed: 4), transposeB: true)
        check(Self.randomTensor([33, 7], seed: 5), Self.randomTensor([17, 33], seed: 6), transposeA: true, transposeB: true)
    }

    /// Transposed and sliced views are used in place; a view with no unit stride is copied.
    @Test func viewsOfEveryLayout() {
        let base = Self.randomTensor([40, 30], seed: 8)
        let b = Self.randomTensor([17, 25], seed: 9)
        check(base.transposed().sliced(dim: 1, 3..<20), b)                                  // [30, 17] · [17, 25]
        check(base.sliced(dim: 1, 5..<22), b)                                                 // lda 30 > k
        check(base.sliced(dim: 0, 0..<34, step: 2).sliced(dim: 1, 0..<30, step: 2).sliced(dim: 1, 0..<15),
              Self.randomTensor([15, 4], seed: 10))                                           // no unit stride
    }

    @Test func batchedAndBroadcastWeight() {
        let a = Self.randomTensor([2, 3, 9, 13], seed: 11)
        check(a, Self.randomTensor([2, 3, 13, 5], seed: 12))
        check(a, Self.randomTensor([13, 21], seed: 13))                         // shared 2-D weight
        check(a, Self.randomTensor([21, 13], seed: 14), transposeB: true)       // nn.Linear layout
        // Linear layers with few tokens (one GEMM over batch · tokens rows; small M computed transposed).
        check(Self.randomTensor([2, 1, 64], seed: 24), Self.randomTensor([200, 64], seed: 25), transposeB: true)
        check(Self.randomTensor([1, 77, 48], seed: 26), Self.randomTensor([320, 48], seed: 27), transposeB: true)
        // Attention-like permuted views: [B, T, H, D] seen as [B, H, T, D].
        let q = Self.randomTensor([2, 11, 3, 8], seed: 15).permuted([0, 2, 1, 3])
        let k = Self.randomTensor([2, 7, 3, 8], seed: 16).permuted([0, 2, 1, 3])
        check(q, k, transposeB: true)
    }

    @Test func alphaBetaAndC() {
        let a = Self.randomTensor([2, 5, 6], seed: 17), b = Self.randomTensor([6, 4], seed: 18)
        let c = Self.randomTensor([2, 5, 4], seed: 19)
        let result = backend.matmul(a, b, transposeA: false, transposeB: false, alpha: 0.5, beta: -2, c: c)
        let product = Reference.matmul(a, b, transposeA: false, transposeB: false)
        let cf = c.floats()
        let expected = product.indices.map { 0.5 * product[$0] - 2 * Double(cf[$0]) }
        let report = closeness(result, expected, shape: [2, 5, 4], rtol: 1e-5, atol: 1e-5)
        #expect(report.passes, "\(report)")
    }

    @Test func halfPrecisionInputsComputeInFloat() {
        let a = Self.randomTensor([5, 24], seed: 20).hostConverted(to: DType.f16)
        let b = Self.randomTensor([24, 9], seed: 21).hostConverted(to: DType.f16)
        let result = backend.matmul(a, b, transposeA: false, transposeB: false, alpha: 1, beta: 0, c: nil)
        #expect(result.dtype == .f16)
        check(a, b, rtol: 1e-3)
    }

    /// bf16 × bf16: the reference multiplies the same bf16 values in Double, so only the accumulation order
    /// (and, for the bf16 result, its final rounding: 2⁻⁸ relative) differs.
    @Test func bfloat16InputsGiveBFloat16Result() {
        let a = Self.randomTensor([3, 8, 40], seed: 22).hostConverted(to: DType.bf16)
        let b = Self.randomTensor([40, 12], seed: 23).hostConverted(to: DType.bf16)
        let result = backend.matmul(a, b, transposeA: false, transposeB: false, alpha: 1, beta: 0, c: nil)
        #expect(result.dtype == .bf16)
        let expected = Reference.matmul(a, b, transposeA: false, transposeB: false)
        let report = closeness(result, expected, shape: [3, 8, 12], rtol: 8e-3, atol: 1e-2)
        #expect(report.passes, "\(report)")
    }
}

import Testing
import DiffuseCore
import DiffuseTestSupport
import DiffuseCPU

/// `CPUBackend.conv2d` against a direct Double-precision loop. Each output is a length-K dot product
/// (K = Cin·kh·kw) plus bias, so the f32 GEMM tolerance applies: rtol 1e-5, atol 1e-6 · √K (≈ 16 ε √K).
struct Conv2dTests {
    let backend = CPUBackend()

    struct Case: Sendable, CustomTestStringConvertible {
        var images = 2, cin = 3, height = 7, width = 9, cout = 5, kernel = 3, stride = 1, padding = 1
        var bias = true
        var testDescription: String {
            "x [\(images), \(cin), \(height), \(width)] w [\(cout), \(cin), \(kernel), \(kernel)] s \(stride) p \(padding) bias \(bias)"
        }
    }

    func check(_ t: Case, seed: UInt64 = 1) {
        var random = TestRandom(seed: seed)
        let x = Tensor(random.floats(t.images * t.cin * t.height * t.width), shape: [t.images, t.cin, t.height, t.width])
        let weight = Tensor(random.floats(t.cout * t.cin * t.kernel * t.kernel), shape: [t.cout, t.cin, t.kernel, t.kernel])
        let bias = t.bias ? Tensor(random.floats(t.cout), shape: [t.cout]) : nil
        let result = backend.conv2d(x, weight: weight, bias: bias, stride: t.stride, padding: t.padding)
        let ho = (t.height + 2 * t.padding - t.kernel) / t.stride + 1, wo = (t.width + 2 * t.padding - t.kernel) / t.stride + 1
        let expected = Reference.conv2d(x, weight: weight, bias: bias, stride: t.stride, padding: t.padding)
        let k = Double(t.cin * t.kernel * t.kernel)
        let report = closeness(result, expected, shape: [t.images, t.cout, ho, wo], rtol: 1e-5, atol: 1e-6 * k.squareRoot())
        #expect(report.passes, "\(t.testDescription): \(report)")
    }

    /// Every kernel size × stride × padding, with and without bias, on a non-square image.
    @Test(arguments: [1, 3], [1, 2])
    func kernelStridePaddingCombos(kernel: Int, stride: Int) {
        for padding in [0, 1, 2] {
            for bias in [true, false] {
                check(Case(kernel: kernel, stride: stride, padding: padding, bias: bias))
            }
        }
    }

    /// Images of ≥ 256 output pixels take the per-image path (written in place); smaller ones are batched in N.
    /// Widths that are not multiples of 16 make panels span output rows.
    @Test func perImageAndBatchedPaths() {
        check(Case(images: 2, cin: 4, height: 17, width: 19, cout: 7))                    // 323 pixels: per image
        check(Case(images: 3, cin: 4, height: 5, width: 6, cout: 7))                      // 30 pixels: batched
        check(Case(images: 1, cin: 2, height: 1, width: 1, cout: 3, kernel: 3, padding: 1)) // 1 × 1 image
        check(Case(images: 2, cin: 5, height: 20, width: 16, cout: 6, kernel: 1, padding: 0)) // pointwise GEMM
        check(Case(images: 2, cin: 5, height: 4, width: 4, cout: 6, kernel: 1, padding: 0, bias: false))
        // Vector fast paths of the gather: rows of 8 (stride 1) and 16 / 8 even lanes (stride 2).
        check(Case(images: 3, cin: 3, height: 8, width: 8, cout: 5))
        check(Case(images: 2, cin: 3, height: 12, width: 40, cout: 5, stride: 2, padding: 1))
        check(Case(images: 1, cin: 2, height: 6, width: 36, cout: 4, stride: 2, padding: 0))
    }

    /// The stride-1 vector gather (panels cut into whole 8-column halves: widths 8, 16, 24, 32) with and
    /// without bias, including the first and last panels of x (which fall back to the scalar copy), a
    /// 5×5 kernel with padding 2, and K crossing the kc block.
    @Test func vectorGatherWidths() {
        check(Case(images: 1, cin: 3, height: 5, width: 16, cout: 5))
        check(Case(images: 2, cin: 4, height: 9, width: 24, cout: 7, bias: false))
        check(Case(images: 2, cin: 60, height: 8, width: 32, cout: 13))
        check(Case(images: 3, cin: 5, height: 6, width: 16, cout: 6, kernel: 5, padding: 2))
        check(Case(images: 2, cin: 2, height: 8, width: 8, cout: 3, kernel: 3, padding: 0))
    }

    /// Enough channels that K = Cin·9 crosses the GEMM's kc block and Cout spans several row tiles.
    @Test func deepChannelsCrossBlocks() {
        check(Case(images: 1, cin: 60, height: 6, width: 5, cout: 20, stride: 1, padding: 1))
        check(Case(images: 2, cin: 60, height: 9, width: 8, cout: 13, stride: 2, padding: 1))
    }

    @Test func halfPrecisionInputKeepsDType() {
        var random = TestRandom(seed: 5)
        let x = Tensor(random.floats(2 * 3 * 5 * 5), shape: [2, 3, 5, 5]).hostConverted(to: DType.f16)
        let w = Tensor(random.floats(4 * 3 * 9), shape: [4, 3, 3, 3])
        let result = backend.conv2d(x, weight: w, bias: nil, stride: 1, padding: 1)
        #expect(result.dtype == .f16)
        let expected = Reference.conv2d(x, weight: w, bias: nil, stride: 1, padding: 1)
        #expect(closeness(result, expected, shape: [2, 4, 5, 5], rtol: 1e-3, atol: 1e-3).passes)
    }
}

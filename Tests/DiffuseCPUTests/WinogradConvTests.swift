import Testing
import DiffuseCore
import DiffuseTestSupport
import DiffuseCPU

/// Winograd convolution (`ConvAlgorithm.winogradF2` / `.winogradF4`) against a Double-precision direct loop
/// on small shapes (odd sizes, batch 2, with and without bias, channel counts that are not multiples of 16
/// or 8), and against the f32 direct convolution on shapes with several tile blocks and deep channels.
///
/// Tolerances (absolute, scaled by √K · max|w| · max|x|, K = 9·Cin; rtol 1e-5). The direct f32 GEMM keeps each
/// K-term sum to ≈ ε √K (`Conv2dTests`: 1e-6 √K). Winograd sums transformed values: F(2×2)'s constants are
/// 0, ±1, ±½ (a transformed value adds at most 4 inputs or 9 weights), so its error stays a small multiple of
/// the direct one: measured ≤ 3.5e-6 √K (including the direct side's error), tolerance 1e-5 √K.
/// F(4×4)'s constants reach 8 and 1/24, transformed values grow ≈ 10²× before they cancel: measured
/// ≤ 3.3e-5 √K, tolerance 1e-4 √K. On a 1280-channel layer with trained-like ranges (outputs of order 1):
/// F(2×2) 8.6e-7 and F(4×4) 1.2e-5 of max|y| (tolerances 5e-6 and 5e-5).
struct WinogradConvTests {
    let backend = CPUBackend()

    struct Case: Sendable, CustomTestStringConvertible {
        var images = 2, cin = 3, height = 7, width = 9, cout = 5
        var bias = true
        var testDescription: String { "x [\(images), \(cin), \(height), \(width)] → \(cout) bias \(bias)" }
    }

    /// Absolute tolerance for K-term sums of products bounded by `scale` (max|w| · max|x|).
    static func atol(_ algorithm: ConvAlgorithm, k: Int, scale: Double = 1) -> Double {
        (algorithm == .winogradF4 ? 1e-4 : 1e-5) * Double(k).squareRoot() * scale
    }

    func inputs(_ t: Case, seed: UInt64, weightScale: Float = 1) -> (Tensor, Tensor, Tensor?) {
        var random = TestRandom(seed: seed)
        let x = Tensor(random.floats(t.images * t.cin * t.height * t.width), shape: [t.images, t.cin, t.height, t.width])
        let w = Tensor(random.floats(t.cout * t.cin * 9, scale: weightScale), shape: [t.cout, t.cin, 3, 3])
        let b = t.bias ? Tensor(random.floats(t.cout), shape: [t.cout]) : nil
        return (x, w, b)
    }

    /// Small shapes against the Double reference: odd and even sizes, 1×1 and 2×2 images, one-tile-wide
    /// strips, channel counts 1 … 37.
    @Test(arguments: [ConvAlgorithm.winogradF2, .winogradF4])
    func smallShapesAgainstDoubleReference(algorithm: ConvAlgorithm) {
        let cases = [
            Case(),
            Case(images: 2, cin: 19, height: 6, width: 11, cout: 37, bias: false),
            Case(images: 3, cin: 17, height: 5, width: 3, cout: 21),
            Case(images: 1, cin: 2, height: 1, width: 1, cout: 3, bias: false),
            Case(images: 2, cin: 4, height: 2, width: 2, cout: 1),
            Case(images: 1, cin: 1, height: 13, width: 1, cout: 2),
            Case(images: 2, cin: 9, height: 4, width: 40, cout: 7, bias: false),
            Case(images: 1, cin: 5, height: 21, width: 18, cout: 6),
        ]
        for (i, t) in cases.enumerated() {
            let (x, w, b) = inputs(t, seed: UInt64(10 + i))
            let result = backend.conv2d(x, weight: w, bias: b, stride: 1, padding: 1, algorithm: algorithm)
            let expected = Reference.conv2d(x, weight: w, bias: b, stride: 1, padding: 1)
            let report = closeness(result, expected, shape: [t.images, t.cout, t.height, t.width], rtol: 1e-5,
                                   atol: Self.atol(algorithm, k: 9 * t.cin))
            #expect(report.passes, "\(algorithm) \(t.testDescription): \(report)")
        }
    }

    /// Several tile blocks (tiles cross image and tile-row boundaries inside a block), Cin beyond the GEMM's
    /// k block (512), against the direct f32 convolution.
    @Test(arguments: [ConvAlgorithm.winogradF2, .winogradF4])
    func blocksAndDeepChannelsAgainstDirect(algorithm: ConvAlgorithm) {
        let cases = [
            Case(images: 2, cin: 64, height: 40, width: 39, cout: 64),           // F2: 800 tiles, 2 blocks
            Case(images: 2, cin: 300, height: 43, width: 44, cout: 260, bias: false), // F4: 242 tiles, 2 blocks
            Case(images: 1, cin: 600, height: 12, width: 11, cout: 70),           // K crosses kc
        ]
        for (i, t) in cases.enumerated() {
            let (x, w, b) = inputs(t, seed: UInt64(30 + i), weightScale: 0.05)
            let result = backend.conv2d(x, weight: w, bias: b, stride: 1, padding: 1, algorithm: algorithm)
            let expected = backend.conv2d(x, weight: w, bias: b, stride: 1, padding: 1, algorithm: .direct)
            let report = closeness(result, expected, rtol: 1e-5, atol: Self.atol(algorithm, k: 9 * t.cin, scale: 0.05))
            #expect(report.passes, "\(algorithm) \(t.testDescription): \(report)")
        }
    }

    /// A UNet-deep layer with realistic ranges: Cin 1280, activations in [−1, 1), weights scaled like a
    /// trained conv (≈ 1/√(9·Cin), outputs of order 1), against the Double reference (few output channels
    /// keep the reference loop fast).
    @Test(arguments: [ConvAlgorithm.winogradF2, .winogradF4])
    func deepLayerRealisticRanges(algorithm: ConvAlgorithm) {
        let t = Case(images: 1, cin: 1280, height: 9, width: 8, cout: 12)
        let (x, w, b) = inputs(t, seed: 50, weightScale: 1 / Float(9 * 1280).squareRoot())
        let result = backend.conv2d(x, weight: w, bias: b, stride: 1, padding: 1, algorithm: algorithm)
        let expected = Reference.conv2d(x, weight: w, bias: b, stride: 1, padding: 1)
        let scale = expected.map(abs).max() ?? 1
        let report = closeness(result, expected, shape: [1, 12, 9, 8], rtol: 0,
                               atol: (algorithm == .winogradF4 ? 5e-5 : 5e-6) * scale)
        #expect(report.passes, "\(algorithm) \(t.testDescription): \(report)")
    }

    /// Small calls take the transformed weight from the cache: a repeated call gives the identical result,
    /// and a weight changed in place (caught by the cache's fingerprint) is transformed again.
    @Test(arguments: [ConvAlgorithm.winogradF2, .winogradF4])
    func cachedWeightsFollowInPlaceChanges(algorithm: ConvAlgorithm) {
        let t = Case(images: 1, cin: 12, height: 6, width: 7, cout: 10)
        let (x, w, b) = inputs(t, seed: algorithm == .winogradF2 ? 70 : 71)
        let first = backend.conv2d(x, weight: w, bias: b, stride: 1, padding: 1, algorithm: algorithm)
        let again = backend.conv2d(x, weight: w, bias: b, stride: 1, padding: 1, algorithm: algorithm)
        #expect(closeness(again, first, rtol: 0, atol: 0).passes)
        let p = w.pointer(as: Float.self)
        for i in 0..<w.count { p[i] *= -2 }
        let changed = backend.conv2d(x, weight: w, bias: b, stride: 1, padding: 1, algorithm: algorithm)
        let expected = Reference.conv2d(x, weight: w, bias: b, stride: 1, padding: 1)
        let report = closeness(changed, expected, shape: [1, 10, 6, 7], rtol: 1e-5, atol: Self.atol(algorithm, k: 108, scale: 2))
        #expect(report.passes, "weight changed in place: \(report)")
    }

    /// Non-Winograd shapes asked for Winograd run direct; f16 input keeps its dtype.
    @Test func otherShapesFallBackToDirect() {
        var random = TestRandom(seed: 60)
        let x = Tensor(random.floats(2 * 4 * 9 * 9), shape: [2, 4, 9, 9])
        let w5 = Tensor(random.floats(3 * 4 * 25), shape: [3, 4, 5, 5])
        for (stride, padding) in [(1, 2), (2, 2)] {
            let result = backend.conv2d(x, weight: w5, bias: nil, stride: stride, padding: padding, algorithm: .winogradF2)
            let expected = backend.conv2d(x, weight: w5, bias: nil, stride: stride, padding: padding, algorithm: .direct)
            #expect(closeness(result, expected, rtol: 0, atol: 0).passes)
        }
        let w3 = Tensor(random.floats(3 * 4 * 9), shape: [3, 4, 3, 3])
        let result = backend.conv2d(x.hostConverted(to: .f16), weight: w3, bias: nil, stride: 1, padding: 1, algorithm: .winogradF2)
        #expect(result.dtype == .f16)
        let expected = Reference.conv2d(x.hostConverted(to: .f16), weight: w3, bias: nil, stride: 1, padding: 1)
        #expect(closeness(result, expected, shape: [2, 3, 9, 9], rtol: 1e-3, atol: 1e-3).passes)
    }
}

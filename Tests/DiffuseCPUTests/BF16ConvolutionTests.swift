import Testing
import DiffuseCore
import DiffuseTestSupport
import DiffuseCPU

/// `BF16Convolution.run` (f32 input rounded to bf16 in its im2col panels, bf16 weight, f32 accumulation,
/// f32 bias and result), run only where the CPU has AVX512-BF16.
///
/// Two references, both Double loops (`Reference.conv2d`):
/// - the same convolution on the *bf16-rounded* input: every product of two bf16 values is exact in f32, so
///   only the f32 summation order differs (pairs added by vdpbf16ps, k blocks of 384): the f32 GEMM
///   tolerance of `BF16GEMMTests`, rtol 1e-4, atol 1e-6 · √K;
/// - the f32 convolution of the unrounded input: rounding x to bf16 (8 significant bits, nearest even)
///   changes each product by at most 2⁻⁹ of its size, so |Δ| ≤ 2⁻⁹ · Σ|w·x| (+ the f32 summation term);
///   the test allows 2⁻⁸ · Σ|w·x| + 1e-6 · √K, with Σ|w·x| = conv(|x|, |w|) computed by the same reference.
@Suite(.enabled(if: CPUFeatures.current.avx512bf16, "CPU has no AVX512-BF16: the bf16 convolution is not used"))
struct BF16ConvolutionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var images = 1, cin = 3, height = 9, width = 9, cout = 5, kernel = 3, stride = 1, padding = 1
        var bias = true
        var testDescription: String {
            "x [\(images), \(cin), \(height), \(width)] w [\(cout), \(cin), \(kernel), \(kernel)] s \(stride) p \(padding) bias \(bias)"
        }
    }

    /// Odd channel counts (k not a multiple of 2), Cout and pixel counts off the 12 × 32 tile, stride 2,
    /// padding 0 / 1, 1×1 (plain GEMM) and 1×1 stride 2 (im2col), batches on both the per-image
    /// (≥ 256 pixels) and the side-by-side (< 256 pixels) paths, k beyond one 384-deep block, and B wide
    /// enough (≥ 1024 pixels) to be cut by columns instead of packed once and shared. The 2nd, 6th and last
    /// cases are above `BF16Driver.singleThreadBelowMACs`, so they run threaded (narrow B shared by the
    /// threads per image / side by side; wide B cut by columns).
    static let cases = [
        Case(),
        Case(images: 2, cin: 21, height: 17, width: 17, cout: 29, bias: false),
        Case(images: 3, cin: 16, height: 10, width: 10, cout: 40, stride: 2),
        Case(images: 2, cin: 33, height: 20, width: 20, cout: 50, kernel: 1, padding: 0),
        Case(images: 2, cin: 9, height: 11, width: 7, cout: 25, kernel: 1, stride: 2, padding: 0, bias: false),
        Case(images: 2, cin: 50, height: 8, width: 12, cout: 30),
        Case(images: 1, cin: 4, height: 33, width: 40, cout: 37, stride: 2, padding: 0),
        Case(images: 2, cin: 5, height: 40, width: 30, cout: 40),
    ]

    @Test(arguments: cases)
    func matchesReference(_ t: Case) {
        var random = TestRandom(seed: 11)
        let x = Tensor(random.floats(t.images * t.cin * t.height * t.width), shape: [t.images, t.cin, t.height, t.width])
        let weight = Tensor(random.floats(t.cout * t.cin * t.kernel * t.kernel, scale: 0.3),
                            shape: [t.cout, t.cin, t.kernel, t.kernel]).hostConverted(to: .bf16)
        let bias = t.bias ? Tensor(random.floats(t.cout), shape: [t.cout]) : nil
        let out = BF16Convolution.run(x, weight: weight, bias: bias, stride: t.stride, padding: t.padding, cache: nil)
        let ho = (t.height + 2 * t.padding - t.kernel) / t.stride + 1, wo = (t.width + 2 * t.padding - t.kernel) / t.stride + 1
        let shape = [t.images, t.cout, ho, wo]
        #expect(out.dtype == .f32 && out.shape == shape)
        let k = Double(t.cin * t.kernel * t.kernel)
        let w32 = weight.hostConverted(to: .f32)

        let roundedX = Tensor(Reference.roundedToBF16(x.floats()), shape: x.shape)
        let sameInputs = Reference.conv2d(roundedX, weight: w32, bias: bias, stride: t.stride, padding: t.padding)
        let report = closeness(out, sameInputs, shape: shape, rtol: 1e-4, atol: 1e-6 * k.squareRoot())
        #expect(report.passes, "\(t.testDescription) vs bf16-rounded input: \(report)")

        let exact = Reference.conv2d(x, weight: w32, bias: bias, stride: t.stride, padding: t.padding)
        let magnitude = Reference.conv2d(Tensor(x.floats().map(abs), shape: x.shape),
                                         weight: Tensor(w32.floats().map(abs), shape: w32.shape), bias: nil,
                                         stride: t.stride, padding: t.padding)
        let actual = out.floats()
        let floor = 1e-6 * k.squareRoot()
        var worst = -Double.infinity
        for i in 0..<actual.count {
            let error: Double = abs(Double(actual[i]) - exact[i])
            let allowed: Double = magnitude[i] / 256 + floor
            worst = max(worst, error - allowed)
        }
        #expect(worst <= 0, "\(t.testDescription) vs f32 input: an error exceeds 2⁻⁸ · Σ|w·x| by \(worst)")
    }

    /// The cached weight packing gives the same result as packing per call and as one thread, and dies
    /// with its weight.
    @Test func cachedWeightMatchesUncached() {
        var random = TestRandom(seed: 12)
        let x = Tensor(random.floats(2 * 20 * 16 * 16), shape: [2, 20, 16, 16])
        let cache = BF16WeightCache()
        do {
            let weight = Tensor(random.floats(24 * 20 * 9, scale: 0.3), shape: [24, 20, 3, 3]).hostConverted(to: .bf16)
            let uncached = BF16Convolution.run(x, weight: weight, bias: nil, stride: 1, padding: 1, cache: nil)
            let first = BF16Convolution.run(x, weight: weight, bias: nil, stride: 1, padding: 1, cache: cache)
            let second = BF16Convolution.run(x, weight: weight, bias: nil, stride: 1, padding: 1, cache: cache)
            #expect(cache.count == 1 && cache.bytes >= 24 * 20 * 9 * 2)
            #expect(first.floats() == uncached.floats() && second.floats() == uncached.floats())
            // One thread (no shared B, one rectangle) sums each output in the same order: bit-equal.
            let oneThread = BF16Convolution.run(x, weight: weight, bias: nil, stride: 1, padding: 1, cache: nil,
                                                   threads: 1)
            #expect(oneThread.floats() == uncached.floats())
        }
        #expect(cache.count == 0, "the entry of a freed weight must not count")
        cache.capacityBytes = 100
        let small = Tensor(random.floats(24 * 20 * 9), shape: [24, 20, 3, 3]).hostConverted(to: .bf16)
        _ = BF16Convolution.run(x, weight: small, bias: nil, stride: 1, padding: 1, cache: cache)
        #expect(cache.count == 0, "a weight larger than the capacity is not kept")
    }

    /// A model larger than the capacity, swept in the same order every step, keeps the packings that fit
    /// (no least-recently-used eviction, which would miss on every access); a freed weight frees its room.
    @Test func fullCacheKeepsItsEntries() {
        var random = TestRandom(seed: 14)
        let x = Tensor(random.floats(1 * 8 * 6 * 6), shape: [1, 8, 6, 6])
        var weights = (0..<3).map { _ in Tensor(random.floats(16 * 8 * 9, scale: 0.3), shape: [16, 8, 3, 3]).hostConverted(to: .bf16) }
        let cache = BF16WeightCache()
        _ = BF16Convolution.run(x, weight: weights[0], bias: nil, stride: 1, padding: 1, cache: cache)
        let one = cache.bytes
        cache.capacityBytes = 2 * one
        for _ in 0..<3 {
            for w in weights { _ = BF16Convolution.run(x, weight: w, bias: nil, stride: 1, padding: 1, cache: cache) }
            #expect(cache.count == 2 && cache.bytes == 2 * one, "the first two stay; the third is packed per call")
        }
        weights.removeFirst()
        _ = BF16Convolution.run(x, weight: weights[1], bias: nil, stride: 1, padding: 1, cache: cache)
        #expect(cache.count == 2, "the freed weight's room goes to the next miss")
    }

    @Test func bf16LinearMatchesRoundedReference() {
        var random = TestRandom(seed: 13)
        // M = 500 rows (several row chunks and mc blocks), K = 450 (two k blocks, odd last pair), N = 70.
        let (m, n, k) = (500, 70, 451)
        let x = Tensor(random.floats(m * k), shape: [m, k])
        let w = Tensor(random.floats(n * k, scale: 0.2), shape: [n, k]).hostConverted(to: .bf16)
        let out = GEMM.bf16Linear(x, weight: w, transposeB: true, cache: nil)
        let a = Reference.roundedToBF16(x.floats()), b = w.hostConverted(to: .f32).floats()
        let expected = Reference.gemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: a, lda: k,
                                      b: b, ldb: k, beta: 0, c: [Float](repeating: 0, count: m * n), ldc: n)
        let report = closeness(out, expected, shape: [m, n], rtol: 1e-4, atol: 1e-6 * Double(k).squareRoot())
        #expect(report.passes, "\(report)")
    }
}

import Testing
import DiffuseCore
import DiffuseTestSupport
import DiffuseCPU

/// f16 / bf16 weights read in their stored dtype (`HalfMatrix`: converted to f32 as the GEMM packs them, or
/// as the Winograd transform reads them) — the precision policy's "never widened per call".
///
/// Reference: the same op on the weight widened to f32 beforehand. f16 → f32 and bf16 → f32 are exact and
/// the micro-kernel then sees the same f32 values in the same order (a packed A micro-panel is read with
/// step 6 instead of in place, the sums are the same), so the results must be **bit-identical**: no
/// tolerance. The last test checks the "never widened" part: no allocation during the op is as large as
/// the widened weight.
struct HalfWeightTests {
    let backend = CPUBackend()

    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var random = TestRandom(seed: seed)
        return Tensor(random.floats(shape.reduce(1, *), scale: scale), shape: shape)
    }

    /// [M, K] · W, W [N, K] (transposeB, a Linear weight) or [K, N]: the small-M transposed product
    /// (M ≤ 192, N ≥ 4M: W becomes the packed A), the plain product (W as packed B, columns read down k,
    /// and rows of 16 contiguous elements), edge tiles, k beyond one 512-deep block, and a batched
    /// (3-D) activation against a 2-D weight.
    @Test(arguments: [DType.f16, .bf16])
    func matmulWithHalfWeightEqualsWidened(_ dtype: DType) {
        let cases: [(x: [Int], w: [Int], transposeB: Bool)] = [
            ([4, 64], [96, 64], true),            // small M, transposed product
            ([1, 600], [130, 600], true),         // M = 1 (time embedding), k over one block
            ([300, 70], [50, 70], true),          // plain, B columns contiguous in k
            ([37, 45], [45, 83], false),          // plain, B rows contiguous (16-wide panels + edge)
            ([2, 150, 40], [120, 40], true),      // batched activation, one GEMM over 300 rows
        ]
        for (i, c) in cases.enumerated() {
            let x = Self.random(c.x, seed: UInt64(10 + i))
            let w = Self.random(c.w, seed: UInt64(20 + i), scale: 0.5).hostConverted(to: dtype)
            let got = backend.matmul(x, w, transposeB: c.transposeB)
            let want = backend.matmul(x, w.hostConverted(to: .f32), transposeB: c.transposeB)
            #expect(got.dtype == .f32 && got.shape == want.shape)
            #expect(got.floats() == want.floats(), "\(dtype) x \(c.x) w \(c.w) transposeB \(c.transposeB)")
        }
    }

    /// A 16-bit operand on the left too (an activation held in f16): A packed through conversion.
    @Test func matmulWithHalfLeftOperandEqualsWidened() {
        let a = Self.random([20, 33], seed: 1).hostConverted(to: .f16)
        let b = Self.random([33, 40], seed: 2)
        let got = backend.matmul(a, b), want = backend.matmul(a.hostConverted(to: .f32), b)
        #expect(got.dtype == .f16)
        #expect(got.floats() == want.hostConverted(to: .f16).floats())
    }

    /// Convolutions: direct 3×3 (per image, and side by side below 256 pixels), stride 2, 1×1, and Winograd
    /// F(2×2) / F(4×4) asked for by name (the transform reads the 16-bit weight).
    @Test(arguments: [DType.f16, .bf16])
    func conv2dWithHalfWeightEqualsWidened(_ dtype: DType) {
        let cases: [(x: [Int], cout: Int, kernel: Int, stride: Int, padding: Int, algorithm: ConvAlgorithm?)] = [
            ([1, 13, 20, 20], 11, 3, 1, 1, .direct),
            ([2, 9, 6, 7], 20, 3, 1, 1, .direct),
            ([1, 8, 17, 15], 7, 3, 2, 1, nil),
            ([2, 24, 9, 9], 30, 1, 1, 0, nil),
            ([2, 12, 10, 11], 10, 3, 1, 1, .winogradF2),
            ([1, 40, 16, 16], 36, 3, 1, 1, .winogradF4),
        ]
        for (i, c) in cases.enumerated() {
            let x = Self.random(c.x, seed: UInt64(30 + i))
            let w = Self.random([c.cout, c.x[1], c.kernel, c.kernel], seed: UInt64(40 + i), scale: 0.3)
                .hostConverted(to: dtype)
            let bias = Self.random([c.cout], seed: UInt64(50 + i))
            let got = backend.conv2d(x, weight: w, bias: bias, stride: c.stride, padding: c.padding,
                                     algorithm: c.algorithm)
            let want = backend.conv2d(x, weight: w.hostConverted(to: .f32), bias: bias, stride: c.stride,
                                      padding: c.padding, algorithm: c.algorithm)
            #expect(got.floats() == want.floats(), "\(dtype) x \(c.x) → \(c.cout), \(c.kernel)×\(c.kernel) \(String(describing: c.algorithm))")
        }
    }

    /// Records the sizes of the tensors this thread allocates.
    final class AllocationSizes: AllocationInterceptor, @unchecked Sendable {
        private let lock = Lock()
        private var sizes: [Int] = []
        var largest: Int { lock.withLock { sizes.max() ?? 0 } }
        func allocate(byteCount: Int) -> UnsafeMutableRawPointer? { nil }
        func didAllocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) { lock.withLock { sizes.append(byteCount) } }
        func willDeallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {}
    }

    /// No f32 copy of the weight is made: the largest tensor a Linear product and a convolution allocate
    /// is their output, smaller than the widened weight would be.
    @Test func halfWeightsAreNotWidened() {
        let w = Self.random([512, 256], seed: 3).hostConverted(to: .f16), x = Self.random([8, 256], seed: 4)
        let linear = AllocationSizes()
        let y = HostAllocator.intercepting(linear) { backend.matmul(x, w, transposeB: true) }
        #expect(y.shape == [8, 512])
        #expect(linear.largest == 8 * 512 * 4, "largest allocation \(linear.largest) B; the widened weight is \(512 * 256 * 4) B")

        let cw = Self.random([64, 64, 3, 3], seed: 5).hostConverted(to: .bf16), cx = Self.random([1, 64, 4, 4], seed: 6)
        let conv = AllocationSizes()
        let z = HostAllocator.intercepting(conv) {
            backend.conv2d(cx, weight: cw, bias: nil, stride: 1, padding: 1, algorithm: nil)
        }
        #expect(z.shape == [1, 64, 4, 4])
        #expect(conv.largest < 64 * 64 * 9 * 4, "largest allocation \(conv.largest) B; the widened weight is \(64 * 64 * 9 * 4) B")
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffusePipeline
import DiffuseTestSupport

/// `BF16GEMMBackend.matmul` (f32 activation × bf16 weight → f32): equal to the f32 product of the
/// bf16-rounded operands up to f32 summation order (the kernel accumulates the same bf16 products in
/// f32): |Δ| ≤ 1e-5·√K·max|e|. Without AVX512-BF16 it forwards to the CPU backend (weight widened).
@Suite struct BF16GEMMBackendTests {
    @Test(arguments: [(false, [2, 7, 64], 40), (true, [3, 33, 96], 130), (true, [5, 320], 1)])
    func matchesRoundedF32(_ transposeB: Bool, _ aShape: [Int], _ n: Int) {
        var random = TestRandom(seed: 7)
        let k = aShape.last!
        let a = Tensor(random.floats(aShape.reduce(1, *)), shape: aShape)
        let wShape = transposeB ? [n, k] : [k, n]
        let w = Tensor(random.floats(wShape.reduce(1, *), scale: 0.2), shape: wShape).hostConverted(to: .bf16)
        let backend = BF16GEMMBackend(base: CPUBackend())
        let out = backend.matmul(a, w, transposeB: transposeB)
        #expect(out.dtype == .f32 && out.shape == Array(aShape.dropLast()) + [n])
        let roundedA = BF16GEMMBackend.isAccelerated ? a.hostConverted(to: .bf16).hostConverted(to: .f32) : a
        let expected = CPUBackend().matmul(roundedA, w.hostConverted(to: .f32), transposeB: transposeB)
        let scale = expected.floats().reduce(0) { max($0, abs(Double($1))) }
        let report = closeness(out, expected, rtol: 0, atol: 1e-5 * Double(k).squareRoot() * scale)
        #expect(report.passes, "\(report)")
    }
}

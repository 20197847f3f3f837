import Testing
import DiffuseCore
@testable import DiffuseCPU
import DiffuseTestSupport

/// add / mul with NumPy broadcasting and scale, against a Double loop over broadcast indices.
/// f32: one f32 rounding of the exact result → rtol 1.2e-7 would do; we use 2e-7 (atol 0).
@Suite struct ElementwiseTests {
    let cpu = CPUBackend()

    /// NumPy broadcasting by index arithmetic: the plainest possible reference.
    func reference(_ a: Tensor, _ b: Tensor, _ f: (Double, Double) -> Double) -> (values: [Double], shape: [Int]) {
        let rank = max(a.rank, b.rank)
        let sa = [Int](repeating: 1, count: rank - a.rank) + a.shape
        let sb = [Int](repeating: 1, count: rank - b.rank) + b.shape
        let shape = zip(sa, sb).map { $0 == 1 ? $1 : $0 }
        let va = OpTestSupport.doubles(a), vb = OpTestSupport.doubles(b)
        var out: [Double] = []
        for flat in 0..<shape.reduce(1, *) {
            var rest = flat, ia = 0, ib = 0, stepA = 1, stepB = 1
            for d in stride(from: rank - 1, through: 0, by: -1) {
                let i = rest % shape[d]
                rest /= shape[d]
                ia += (sa[d] == 1 ? 0 : i) * stepA
                ib += (sb[d] == 1 ? 0 : i) * stepB
                stepA *= sa[d]
                stepB *= sb[d]
            }
            out.append(f(va[ia], vb[ib]))
        }
        return (out, shape)
    }

    func check(_ a: Tensor, _ b: Tensor) {
        for (name, op, f) in [("add", cpu.add, { (x: Double, y: Double) in x + y }),
                              ("mul", cpu.mul, { (x: Double, y: Double) in x * y })] as [(String, (Tensor, Tensor) -> Tensor, (Double, Double) -> Double)] {
            let y = op(a, b)
            let (expected, shape) = reference(a, b, f)
            #expect(y.dtype == a.dtype && y.shape == shape)
            let tol = OpTestSupport.tolerance(a.dtype, f32: 2e-7, atol: 0)
            let report = closeness(y, expected, shape: shape, rtol: tol.rtol, atol: max(tol.atol, 1e-30))
            #expect(report.passes, "\(name) \(a.dtype) \(a.shape) with \(b.dtype) \(b.shape): \(report)")
        }
    }

    @Test func fastPathShapes() {
        check(OpTestSupport.random([3, 50], seed: 1), OpTestSupport.random([3, 50], seed: 2))            // same shape
        check(OpTestSupport.random([2, 7, 19], seed: 3), OpTestSupport.random([19], seed: 4))           // bias [C]
        check(OpTestSupport.random([2, 5, 6, 7], seed: 5), OpTestSupport.random([1, 5, 1, 1], seed: 6)) // per-channel NCHW
        check(OpTestSupport.random([2, 5, 6, 7], seed: 7), OpTestSupport.random([5, 1, 1], seed: 8))    // per-channel, rank 3
        check(OpTestSupport.random([4, 9], seed: 9), Tensor([2.5], shape: [1]))                         // scalar
        check(OpTestSupport.random([4, 9], seed: 10), Tensor([-3], shape: []))                          // rank-0 scalar
    }

    @Test func generalBroadcasting() {
        check(OpTestSupport.random([4, 1, 5], seed: 11), OpTestSupport.random([3, 1], seed: 12))        // both sides broadcast
        check(OpTestSupport.random([19], seed: 13), OpTestSupport.random([2, 7, 19], seed: 14))         // first operand broadcast
        check(OpTestSupport.random([1, 3, 1, 4], seed: 15), OpTestSupport.random([2, 1, 5, 1], seed: 16))
        check(OpTestSupport.random([1], seed: 17), OpTestSupport.random([1], seed: 18))
        check(OpTestSupport.random([2, 3, 0], seed: 19), OpTestSupport.random([3, 1], seed: 20))        // empty
    }

    @Test func viewsAsInputs() {
        let a = OpTestSupport.random([6, 5, 4], seed: 21).permuted([2, 0, 1])                // [4, 6, 5]
        let b = OpTestSupport.random([6, 20], seed: 22).sliced(dim: 1, 2..<17, step: 3)     // [6, 5] strided
        check(a, b)
        check(a, OpTestSupport.random([4, 1, 1], seed: 23))
        check(OpTestSupport.random([3], seed: 24).unsqueezed(0).expanded(to: [5, 3]), OpTestSupport.random([5, 3], seed: 25))
    }

    @Test func largeInputsSplitAcrossThreads() {
        check(OpTestSupport.random([1, 70_001], seed: 26), OpTestSupport.random([70_001], seed: 27)) // one long row, chunked
        check(OpTestSupport.random([3, 40_000], seed: 28), Tensor([0.5], shape: [1]))
        check(OpTestSupport.random([2, 32, 24, 24], seed: 29), OpTestSupport.random([1, 32, 1, 1], seed: 30))
        check(OpTestSupport.random([2, 32, 24, 24], seed: 29), OpTestSupport.random([2, 32, 24, 24], seed: 31))
    }

    @Test func halfPrecisionAndMixedDtypes() {
        for dtype in [DType.f16, .bf16] {
            check(OpTestSupport.random([3, 37], dtype: dtype, seed: 32), OpTestSupport.random([37], dtype: dtype, seed: 33))
            // Output takes the first operand's dtype.
            check(OpTestSupport.random([3, 37], dtype: dtype, seed: 34), OpTestSupport.random([3, 37], seed: 35))
        }
        check(OpTestSupport.random([3, 37], seed: 36), OpTestSupport.random([1, 37], dtype: .bf16, seed: 37))
    }

    @Test func scaleMultipliesEveryElement() {
        for x in [OpTestSupport.random([5, 33], seed: 38), OpTestSupport.random([33, 5], seed: 39).transposed(),
                  OpTestSupport.random([100_003], seed: 40), OpTestSupport.random([7, 9], dtype: .f16, seed: 41)] {
            let y = cpu.scale(x, by: 0.18215)
            #expect(y.dtype == x.dtype && y.shape == x.shape)
            let tol = OpTestSupport.tolerance(x.dtype, f32: 2e-7, atol: 0)
            let report = closeness(y, OpTestSupport.doubles(x).map { $0 * Double(Float(0.18215)) }, shape: x.shape,
                                   rtol: tol.rtol, atol: max(tol.atol, 1e-30))
            #expect(report.passes, "scale \(x.dtype) \(x.shape): \(report)")
        }
    }

    @Test func layoutsCoalesceToShortForms() throws {
        let bias = try #require(BroadcastLayout(aShape: [2, 7, 19], aStrides: [133, 19, 1], bShape: [19], bStrides: [1]))
        #expect(bias.shape == [14, 19] && bias.aStrides == [19, 1] && bias.bStrides == [0, 1])
        let channel = try #require(BroadcastLayout(aShape: [2, 5, 6, 7], aStrides: [210, 42, 7, 1],
                                                   bShape: [1, 5, 1, 1], bStrides: [5, 1, 1, 1]))
        #expect(channel.shape == [2, 5, 42] && channel.aStrides == [210, 42, 1] && channel.bStrides == [0, 1, 0])
        let same = try #require(BroadcastLayout(aShape: [3, 4], aStrides: [4, 1], bShape: [3, 4], bStrides: [4, 1]))
        #expect(same.shape == [12])
        #expect(BroadcastLayout(aShape: [3, 4], aStrides: [4, 1], bShape: [5], bStrides: [1]) == nil)
    }

    @Test func mismatchedShapesStop() async {
        await #expect(processExitsWith: .failure) { _ = CPUBackend().add(Tensor(zeros: [3, 4]), Tensor(zeros: [5])) }
    }
}

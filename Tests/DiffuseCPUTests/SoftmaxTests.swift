import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Softmax over the last axis against a Double loop. f32 tolerance rtol 2e-6, atol 1e-9: each output is
/// e^{x−max} (≤ 2 ulp) times 1/Σ (Σ of ≤ 4096 positive terms in 16 lanes: ≲ 1e-6 relative worst case).
@Suite struct SoftmaxTests {
    let cpu = CPUBackend()

    func reference(_ x: [Double], d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        for r in 0..<(x.count / d) {
            let row = x[(r * d)..<((r + 1) * d)]
            let m = row.max()!
            let e = row.map { exp($0 - m) }
            let s = e.reduce(0, +)
            for j in 0..<d { out[r * d + j] = e[j] / s }
        }
        return out
    }

    func check(_ x: Tensor, rtol: Double = 2e-6, atol: Double = 1e-9) {
        let y = cpu.softmax(x)
        #expect(y.dtype == x.dtype && y.shape == x.shape)
        let tol = OpTestSupport.tolerance(x.dtype, f32: rtol, atol: atol)
        let report = closeness(y, reference(OpTestSupport.doubles(x), d: x.shape[x.rank - 1]), shape: x.shape,
                               rtol: tol.rtol, atol: tol.atol)
        #expect(report.passes, "softmax \(x.dtype) \(x.shape): \(report)")
    }

    @Test func rowsOfAnyLength() {
        for d in [1, 2, 7, 16, 17, 33, 77, 4096] {
            check(OpTestSupport.random([3, d], seed: UInt64(d), scale: 4))
        }
        // Many rows across threads (attention-score shaped).
        check(OpTestSupport.random([2, 256, 77], seed: 99, scale: 6))
    }

    @Test func largeValuesAreStable() {
        // Logits around ±1000 would overflow e^x without the max subtraction.
        check(OpTestSupport.random([4, 50], seed: 3, scale: 30, shift: 1000))
        check(OpTestSupport.random([4, 50], seed: 4, scale: 30, shift: -1000))
        let y = cpu.softmax(Tensor([1, 1], shape: [1, 2]))
        #expect(y.floats() == [0.5, 0.5])
        #expect(cpu.softmax(Tensor([42], shape: [1])).floats() == [1])
    }

    @Test func maskedEntriesGetZero() {
        let x = Tensor([0, -.infinity, 1, -.infinity, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -.infinity],
                       shape: [1, 18])
        let y = cpu.softmax(x).floats()
        #expect(y[1] == 0 && y[3] == 0 && y[17] == 0)
        check(x)
    }

    @Test func viewsAndHalfPrecisionInputs() {
        check(OpTestSupport.random([33, 5], seed: 5, scale: 3).transposed()) // [5, 33] view
        check(OpTestSupport.random([3, 4, 20], seed: 6).sliced(dim: 2, 1..<20, step: 2)) // stepped slice
        for dtype in [DType.f16, .bf16] {
            check(OpTestSupport.random([6, 77], dtype: dtype, seed: 7, scale: 5))
        }
    }
}

extension SoftmaxTests {
    @Test func emptyTensors() {
        #expect(cpu.softmax(Tensor(zeros: [0, 5])).shape == [0, 5])
        #expect(cpu.softmax(Tensor(zeros: [3, 0])).shape == [3, 0])
    }
}

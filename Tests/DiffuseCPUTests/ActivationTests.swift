import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Activations and GEGLU against the Double formulas of torch / transformers.
/// f32 tolerance rtol 4e-6, atol 1e-7. Why: the exp/erf kernels are ≤ 2e-7 relative, but an activation
/// also rounds its argument to f32 (relative 6e-8) and exp amplifies that by |argument|: for
/// quickGelu/geluTanh at x ≈ −10 the sigmoid argument is ≈ −17…−87, i.e. up to ~5e-6 relative on values
/// that are < 1e-6 in absolute terms (covered by atol). In the central range the error is ~2e-7 relative.
@Suite struct ActivationTests {
    let cpu = CPUBackend()

    static func reference(_ kind: Activation, _ x: Double) -> Double {
        switch kind {
        case .sigmoid: 1 / (1 + exp(-x))
        case .silu: x / (1 + exp(-x))
        // 1 + erf(z) = erfc(−z) and ½(1 + tanh y) = 1/(1 + e^{−2y}): the same functions, written without the
        // cancellation that would make the Double reference itself wrong in the negative tail.
        case .gelu: 0.5 * x * erfc(-x / 2.0.squareRoot())
        case .geluTanh: x / (1 + exp(-2 * (2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        case .quickGelu: x / (1 + exp(-1.702 * x))
        case .exp: exp(x)
        case .relu: max(x, 0)
        case .tanh: tanh(x)
        }
    }

    func check(_ x: Tensor, _ kind: Activation, rtol: Double = 4e-6, atol: Double = 1e-7) {
        let y = cpu.activation(x, kind)
        #expect(y.dtype == x.dtype && y.shape == x.shape)
        let expected = OpTestSupport.doubles(x).map { Self.reference(kind, $0) }
        let tol = OpTestSupport.tolerance(x.dtype, f32: rtol, atol: atol)
        let report = closeness(y, expected, shape: x.shape, rtol: tol.rtol, atol: tol.atol)
        #expect(report.passes, "\(kind) \(x.dtype) \(x.shape): \(report)")
    }

    @Test(arguments: Activation.allCases)
    func denseGridAndOddSizes(_ kind: Activation) {
        let n = 20_001 // odd: exercises the vector tail; > one parallel chunk
        let grid = Tensor((0..<n).map { Float(-12 + 24 * Double($0) / Double(n - 1)) }, shape: [n])
        check(grid, kind)
        for shape in [[1], [3, 5], [2, 17, 3]] { check(OpTestSupport.random(shape, seed: 1, scale: 5), kind) }
    }

    @Test(arguments: Activation.allCases)
    func viewsAndHalfPrecisionInputs(_ kind: Activation) {
        check(OpTestSupport.random([9, 4, 7], seed: 2, scale: 4).permuted([2, 0, 1]), kind)
        for dtype in [DType.f16, .bf16] { check(OpTestSupport.random([5, 77], dtype: dtype, seed: 3, scale: 6), kind) }
    }

    @Test func specialValues() {
        let x = Tensor([0, -.infinity, .infinity, -1e30, 1e30], shape: [5])
        let s = cpu.activation(x, .sigmoid).floats()
        #expect(s == [0.5, 0, 1, 0, 1], "sigmoid: \(s)")
        #expect(cpu.activation(x, .exp).floats() == [1, 0, .infinity, 0, .infinity])
        #expect(cpu.activation(x, .relu).floats() == [0, 0, .infinity, 0, 1e30])
        #expect(cpu.activation(x, .tanh).floats() == [0, -1, 1, -1, 1])
        // As torch: relu keeps NaN and −0 (clamp_min replaces only x < 0); tanh(NaN) is NaN.
        let signed = cpu.activation(Tensor([-0.0, .nan], shape: [2]), .relu).floats()
        #expect(signed[0] == 0 && signed[0].sign == .minus && signed[1].isNaN)
        #expect(cpu.activation(Tensor([.nan], shape: [1]), .tanh).floats()[0].isNaN)
        for kind in Activation.allCases where ![.sigmoid, .exp, .relu, .tanh].contains(kind) {
            let y = cpu.activation(x, kind).floats()
            #expect(y[0] == 0 && y[3] == 0 && y[4] == 1e30, "\(kind): \(y)")
            // −∞ · 0 is NaN, as in torch; at +∞ we give +∞ for every kind (torch gives NaN for erf-GELU).
            #expect(y[1].isNaN && y[2] == .infinity, "\(kind) at ±∞: \(y[1]), \(y[2])")
        }
    }

    func gegluReference(_ x: [Double], twoD: Int) -> [Double] {
        let d = twoD / 2
        var out: [Double] = []
        for r in 0..<(x.count / twoD) {
            for j in 0..<d { out.append(x[r * twoD + j] * Self.reference(.gelu, x[r * twoD + d + j])) }
        }
        return out
    }

    func checkGEGLU(_ x: Tensor) {
        let y = cpu.geglu(x)
        var shape = x.shape
        shape[shape.count - 1] /= 2
        #expect(y.dtype == x.dtype && y.shape == shape)
        let tol = OpTestSupport.tolerance(x.dtype, f32: 4e-6, atol: 1e-7)
        let report = closeness(y, gegluReference(OpTestSupport.doubles(x), twoD: x.shape[x.rank - 1]), shape: shape,
                               rtol: tol.rtol, atol: tol.atol)
        #expect(report.passes, "geglu \(x.dtype) \(x.shape): \(report)")
    }

    @Test func gegluFirstHalfIsHiddenSecondIsGate() {
        // hidden = [2, 3], gate = [0, 10]: gelu(0) = 0, gelu(10) ≈ 10 → [0, 30].
        let y = cpu.geglu(Tensor([2, 3, 0, 10], shape: [1, 4])).floats()
        #expect(y[0] == 0 && abs(y[1] - 30) < 1e-5)
        for shape in [[1, 2], [3, 74], [2, 5, 128], [2, 64, 2 * 1280]] {
            checkGEGLU(OpTestSupport.random(shape, seed: UInt64(shape.last!), scale: 4))
        }
    }

    @Test func gegluViewsAndHalfPrecisionInputs() {
        checkGEGLU(OpTestSupport.random([10, 3, 6], seed: 5, scale: 3).transposed(0, 2)) // [6, 3, 10] view
        for dtype in [DType.f16, .bf16] { checkGEGLU(OpTestSupport.random([4, 96], dtype: dtype, seed: 6, scale: 4)) }
    }

    @Test func gegluRejectsOddLastDimension() async {
        await #expect(processExitsWith: .failure) { _ = CPUBackend().geglu(Tensor(zeros: [2, 5])) }
    }
}

extension ActivationTests {
    @Test func emptyTensors() {
        #expect(cpu.activation(Tensor(zeros: [0, 5]), .gelu).shape == [0, 5])
        #expect(cpu.geglu(Tensor(zeros: [3, 0])).shape == [3, 0])
        #expect(cpu.geglu(Tensor(zeros: [0, 8])).shape == [0, 4])
    }
}

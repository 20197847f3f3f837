import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/matmul.safetensors`: `matmul` (operands possibly stored transposed), `linear`
/// (x·Wᵀ + b) and `baddbmm` (beta·c + alpha·a·b) through `CPUBackend.matmul`.
///
/// Every case runs two ways: (1) the operands as stored, with the metadata's `transpose_a`/`transpose_b`
/// mapped to the `transposeA`/`transposeB` flags; (2) the same logical operands with the transposition
/// moved into the layout — a stored-transposed operand becomes a `.transposed()` view with the flag off,
/// a plain one is re-stored transposed (a contiguous copy of its transpose) with the flag on.
@Suite struct MatMulFixtureTests {
    static let cases = OpFixtures.cases("matmul")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            switch c.op {
            case "matmul":
                let a = try c.tensor("a"), b = try c.tensor("b")
                let ta = try c.bool("transpose_a", default: false), tb = try c.bool("transpose_b", default: false)
                try product(c, a, b, ta, tb, alpha: 1, beta: 0, addend: nil)
            case "baddbmm":
                let a = try c.tensor("a"), b = try c.tensor("b")
                let ta = try c.bool("transpose_a", default: false), tb = try c.bool("transpose_b", default: false)
                let alpha = try c.double("alpha"), beta = try c.double("beta")
                try product(c, a, b, ta, tb, alpha: Float(alpha), beta: Float(beta), addend: c.optionalTensor("c"))
            case "linear":
                // F.linear: input [..., K] @ weight[N, K]ᵀ + bias [N].
                let x = try c.tensor("input"), w = try c.tensor("weight"), bias = c.optionalTensor("bias")
                let k = x.size(-1)
                let tolerance = OpTolerance.reduction(k: k, scale: x.maxAbs * w.maxAbs)
                var flagged = cpu.matmul(x, w, transposeA: false, transposeB: true,
                                           alpha: 1, beta: 0, c: nil)
                var viewed = cpu.matmul(x, w.transposed(), transposeA: false, transposeB: false,
                                        alpha: 1, beta: 0, c: nil)
                if let bias {
                    flagged = cpu.add(flagged, bias)
                    viewed = cpu.add(viewed, bias)
                }
                try OpFixtureTesting.check(c, flagged, tolerance: tolerance, label: "transposeB flag")
                try OpFixtureTesting.check(c, viewed, tolerance: tolerance, label: "weight.transposed() view")
            default:
                OpFixtureTesting.unknownOp(c, known: ["matmul", "baddbmm", "linear"])
            }
        }
    }

    /// alpha·op(a)·op(b) + beta·c, both ways (see the type's comment).
    func product(_ c: OpFixtureCase, _ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool,
                 alpha: Float, beta: Float, addend: Tensor?) throws {
        let k = ta ? a.size(-2) : a.size(-1)
        let m = ta ? a.size(-1) : a.size(-2), n = tb ? b.size(-2) : b.size(-1)
        let batch = a.rank > 2 ? Array(a.shape.dropLast(2)) : Array(b.shape.dropLast(2))
        var tolerance = OpTolerance.reduction(k: k, scale: Double(abs(alpha)) * a.maxAbs * b.maxAbs)
        // torch broadcasts c (e.g. [1, M, N] over the batch); Backend.matmul takes c of the result's
        // shape and accepts any strides, so pass the broadcast as a stride-0 view.
        var cArgument: Tensor? = nil
        if let addend {
            cArgument = addend.shape == batch + [m, n] ? addend : addend.expanded(to: batch + [m, n])
            tolerance.atol += 1e-6 * Double(abs(beta)) * addend.maxAbs
        }
        let flagged = cpu.matmul(a, b, transposeA: ta, transposeB: tb, alpha: alpha, beta: beta, c: cArgument)
        try OpFixtureTesting.check(c, flagged, tolerance: tolerance, label: "flags ta=\(ta) tb=\(tb)")

        // The same logical operands with the transposition in the layout instead.
        func flipped(_ t: Tensor, _ transposed: Bool) -> (Tensor, Bool) {
            transposed ? (t.transposed(), false) : (t.transposed().hostContiguous(), true)
        }
        let (a2, ta2) = flipped(a, ta), (b2, tb2) = flipped(b, tb)
        let viewed = cpu.matmul(a2, b2, transposeA: ta2, transposeB: tb2, alpha: alpha, beta: beta, c: cArgument)
        try OpFixtureTesting.check(c, viewed, tolerance: tolerance, label: "layout ta=\(ta2) tb=\(tb2)")
    }
}

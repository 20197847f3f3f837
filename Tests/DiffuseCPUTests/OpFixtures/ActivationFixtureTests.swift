import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/activation.safetensors`: `silu`, `sigmoid`, `gelu` (`approximate` none / tanh),
/// `quick_gelu`, `relu`, `tanh`, `geglu` (diffusers GEGLU with its projection) and `geglu_split` (no projection).
///
/// `geglu` = linear then `Backend.geglu`: the projection is computed in f32 (half inputs upcast exactly)
/// and only the final result is rounded to the case's dtype, as an engine that fuses GEGLU into the
/// projection's epilogue would; torch rounds the projection and gelu(g) to half first (3 roundings).
@Suite struct ActivationFixtureTests {
    static let cases = OpFixtures.cases("activation")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            let x = try c.tensor("input")
            switch c.op {
            case "silu":
                try OpFixtureTesting.check(c, cpu.activation(x, .silu), tolerance: .pointwise)
            case "gelu":
                let approximate = try c.string("approximate")
                guard approximate == "none" || approximate == "tanh" else {
                    throw OpFixtureError("\(c): unknown gelu approximate `\(approximate)`")
                }
                let y = cpu.activation(x, approximate == "tanh" ? .geluTanh : .gelu)
                try OpFixtureTesting.check(c, y, tolerance: .pointwise)
            case "quick_gelu":
                // transformers: input * torch.sigmoid(1.702 * input) — three half roundings in torch.
                try OpFixtureTesting.check(c, cpu.activation(x, .quickGelu), tolerance: .pointwise, torchRoundings: 3)
            case "sigmoid":
                try OpFixtureTesting.check(c, cpu.activation(x, .sigmoid), tolerance: .pointwise)
            case "relu":
                try OpFixtureTesting.check(c, cpu.activation(x, .relu), tolerance: .pointwise)
            case "tanh":
                try OpFixtureTesting.check(c, cpu.activation(x, .tanh), tolerance: .pointwise)
            case "geglu_split":
                // h, g = input.chunk(2, -1); h · gelu(g): one product of O(|x|) values.
                var tolerance = OpTolerance.pointwise
                tolerance.atol *= max(1, x.maxAbs)
                try OpFixtureTesting.check(c, cpu.geglu(x), tolerance: tolerance)
            case "geglu":
                let w = try c.tensor("weight"), bias = c.optionalTensor("bias")
                let dimIn = try c.int("dim_in"), dimOut = try c.int("dim_out")
                guard x.size(-1) == dimIn, w.shape == [2 * dimOut, dimIn] else {
                    throw OpFixtureError("\(c): input \(x.shape) / weight \(w.shape) do not match dim_in \(dimIn), dim_out \(dimOut)")
                }
                var projection = cpu.matmul(x.hostConverted(to: .f32), w.hostConverted(to: .f32), transposeA: false, transposeB: true,
                                           alpha: 1, beta: 0, c: nil)
                if let bias { projection = cpu.add(projection, bias.hostConverted(to: .f32)) }
                let y = cpu.geglu(projection).hostConverted(to: x.dtype)
                // The projection's reduction error (K = dim_in) passes through h·gelu(g) with a gain of at
                // most |g| + 1.13·|h| ≤ 2.2·max|projection|.
                let linear = OpTolerance.reduction(k: dimIn, scale: x.maxAbs * w.maxAbs)
                let tolerance = OpTolerance(rtol: 1e-5 + linear.rtol,
                                            atol: linear.atol * 2.2 * max(1, projection.maxAbs) + OpTolerance.pointwise.atol)
                try OpFixtureTesting.check(c, y, tolerance: tolerance, torchRoundings: 3)
            default:
                OpFixtureTesting.unknownOp(c, known: ["silu", "sigmoid", "relu", "tanh", "gelu", "quick_gelu", "geglu", "geglu_split"])
            }
        }
    }
}

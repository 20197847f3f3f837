import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/norm.safetensors`: `group_norm`, `group_norm_silu` (group norm then SiLU, run as the
/// fused `fusedSiLU: true` op) and `layer_norm` over the last dimension. The large-offset cases carry an
/// atol hint in their metadata note (see `OpTolerance`).
@Suite struct NormFixtureTests {
    static let cases = OpFixtures.cases("norm")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            let x = try c.tensor("input")
            let eps = Float(try c.double("eps"))
            switch c.op {
            case "group_norm", "group_norm_silu":
                let groups = try c.int("groups")
                let affine = try c.bool("affine", default: true)
                let weight = affine ? try c.tensor("weight") : nil, bias = affine ? try c.tensor("bias") : nil
                let fused = c.op == "group_norm_silu"
                let y = cpu.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, fusedSiLU: fused)
                let groupSize = x.count / max(1, x.shape[0] * groups)
                // torch: F.group_norm then F.silu, two roundings in half precision.
                try OpFixtureTesting.check(c, y, tolerance: .norm(groupSize: groupSize), torchRoundings: fused ? 2 : 1)
            case "layer_norm":
                let shape = try c.ints("normalized_shape")
                guard shape == [x.size(-1)] else {
                    throw OpFixtureError("\(c): normalized_shape \(shape) is not the last dimension of \(x.shape); "
                                         + "Backend.layerNorm normalises the last dimension only")
                }
                let y = cpu.layerNorm(x, weight: c.optionalTensor("weight"), bias: c.optionalTensor("bias"), eps: eps)
                try OpFixtureTesting.check(c, y, tolerance: .norm(groupSize: x.size(-1)))
            default:
                OpFixtureTesting.unknownOp(c, known: ["group_norm", "group_norm_silu", "layer_norm"])
            }
        }
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/softmax.safetensors`: `F.softmax(input, dim)`. `Backend.softmax` works on the last
/// dimension; another `dim` is moved last with a transposed view and the result transposed back (a view;
/// `closeness` compares any layouts).
@Suite struct SoftmaxFixtureTests {
    static let cases = OpFixtures.cases("softmax")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            guard c.op == "softmax" else { return OpFixtureTesting.unknownOp(c, known: ["softmax"]) }
            let x = try c.tensor("input")
            let dim = x.normalized(try c.int("dim"))
            let y: Tensor
            if dim == x.rank - 1 {
                y = cpu.softmax(x)
            } else {
                y = cpu.softmax(x.transposed(dim, -1)).transposed(dim, -1)
            }
            try OpFixtureTesting.check(c, y, tolerance: .pointwise)
        }
    }
}

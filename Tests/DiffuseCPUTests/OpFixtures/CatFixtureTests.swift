import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/cat.safetensors`: `torch.cat([a, b(, c)], dim)`, inputs in role order. A copy: exact in every dtype.
@Suite struct CatFixtureTests {
    static let cases = OpFixtures.cases("cat")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            guard c.op == "cat" else { return OpFixtureTesting.unknownOp(c, known: ["cat"]) }
            let parts = try c.inputRoles.map { try c.tensor($0) }
            #expect(parts.count >= 2, "\(c): cat of \(parts.count) tensors")
            try OpFixtureTesting.check(c, cpu.concat(parts, dim: try c.int("dim")), tolerance: .exact)
        }
    }
}

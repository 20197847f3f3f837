import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/elementwise.safetensors`: `add` / `mul` with NumPy broadcasting. One correctly rounded
/// IEEE operation per element (half inputs: computed in f32, rounded once, as torch does): exact.
@Suite struct ElementwiseFixtureTests {
    static let cases = OpFixtures.cases("elementwise")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            let a = try c.tensor("a"), b = try c.tensor("b")
            let shapeA = try c.ints("shape_a"), shapeB = try c.ints("shape_b")
            #expect(a.shape == shapeA && b.shape == shapeB,
                    "\(c): stored shapes \(a.shape), \(b.shape) differ from the metadata's")
            switch c.op {
            case "add": try OpFixtureTesting.check(c, cpu.add(a, b), tolerance: .exact)
            case "mul": try OpFixtureTesting.check(c, cpu.mul(a, b), tolerance: .exact)
            default: OpFixtureTesting.unknownOp(c, known: ["add", "mul"])
            }
        }
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/upsample.safetensors`: `upsample_nearest2d` with scale factor 2 (`F.interpolate(mode="nearest")`,
/// diffusers `Upsample2D`). Every output element is a copy of an input element: exact in every dtype.
@Suite struct UpsampleFixtureTests {
    static let cases = OpFixtures.cases("upsample")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            guard c.op == "upsample_nearest2d" else { return OpFixtureTesting.unknownOp(c, known: ["upsample_nearest2d"]) }
            let factor = try c.double("scale_factor")
            guard factor == 2 else {
                throw OpFixtureError("\(c): scale_factor \(factor); Backend.upsampleNearest2x does 2× only")
            }
            try OpFixtureTesting.check(c, cpu.upsampleNearest2x(try c.tensor("input")), tolerance: .exact)
        }
    }
}

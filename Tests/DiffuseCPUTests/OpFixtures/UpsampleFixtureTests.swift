import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/upsample.safetensors`: `upsample_nearest2d` with scale factor 2 or an explicit `size`
/// (`F.interpolate(mode="nearest")`, diffusers `Upsample2D`). Every output element is a copy of an input element: exact in every dtype.
@Suite struct UpsampleFixtureTests {
    static let cases = OpFixtures.cases("upsample")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            guard c.op == "upsample_nearest2d" else { return OpFixtureTesting.unknownOp(c, known: ["upsample_nearest2d"]) }
            let input = try c.tensor("input")
            if c.has("size") {
                let size = try c.ints("size")
                try OpFixtureTesting.check(c, cpu.upsampleNearest(input, height: size[0], width: size[1]), tolerance: .exact)
                return
            }
            let factor = try c.double("scale_factor")
            guard factor == 2 else {
                throw OpFixtureError("\(c): scale_factor \(factor); Backend.upsampleNearest2x does 2× only")
            }
            try OpFixtureTesting.check(c, cpu.upsampleNearest2x(input), tolerance: .exact)
        }
    }
}

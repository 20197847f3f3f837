import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// Data-movement families — `upsample` (`upsample_nearest2d`, scale 2), `cat` and `embedding`: every
/// output element is a copy of an input element, so the results must be exact in every dtype.
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

@Suite struct EmbeddingFixtureTests {
    static let cases = OpFixtures.cases("embedding")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            guard c.op == "embedding" else { return OpFixtureTesting.unknownOp(c, known: ["embedding"]) }
            let table = try c.tensor("weight"), ids = try c.tensor("input")
            try OpFixtureTesting.check(c, cpu.embedding(table, ids: ids), tolerance: .exact)
            // Half-precision tables: a gather commutes with rounding, gather(round(W)) = round(gather(W)),
            // so the f32 case checks the f16/bf16 path exactly. (The fixture meant to hold an f16 table,
            // `ids_i64_f16`, stores it as f32 — see the naming check.)
            let expected = try c.expected
            for dtype in [DType.f16, .bf16] where table.dtype != dtype {
                let y = cpu.embedding(table.converted(to: dtype), ids: ids)
                let report = closeness(y, expected.converted(to: dtype), rtol: 0, atol: 0)
                #expect(y.dtype == dtype && report.passes, "\(c) [\(dtype) table]: \(y.dtype) result; \(report)")
            }
        }
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/embedding.safetensors`: `F.embedding(ids, weight)` with i64 or i32 ids. A row gather: exact.
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
                let y = cpu.embedding(table.hostConverted(to: dtype), ids: ids)
                let report = closeness(y, expected.hostConverted(to: dtype), rtol: 0, atol: 0)
                #expect(y.dtype == dtype && report.passes, "\(c) [\(dtype) table]: \(y.dtype) result; \(report)")
            }
        }
    }
}

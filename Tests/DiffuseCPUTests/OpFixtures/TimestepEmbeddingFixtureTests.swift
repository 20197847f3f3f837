import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/timestep_embedding.safetensors`: diffusers `get_timestep_embedding(input, embedding_dim,
/// flip_sin_to_cos, downscale_freq_shift, scale, max_period)`. Tolerance: see `OpTolerance.timestepEmbedding`.
@Suite struct TimestepEmbeddingFixtureTests {
    static let cases = OpFixtures.cases("timestep_embedding")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            guard c.op == "timestep_embedding" else { return OpFixtureTesting.unknownOp(c, known: ["timestep_embedding"]) }
            let t = try c.tensor("input")
            let scale = try c.double("scale", default: 1)
            let y = cpu.timestepEmbedding(t, dim: try c.int("embedding_dim"),
                                          flipSinToCos: try c.bool("flip_sin_to_cos"),
                                          freqShift: Float(try c.double("downscale_freq_shift")),
                                          scale: Float(scale), maxPeriod: Float(try c.double("max_period", default: 10000)))
            try OpFixtureTesting.check(c, y, tolerance: .timestepEmbedding(maxArgument: abs(scale) * t.maxAbs))
        }
    }
}

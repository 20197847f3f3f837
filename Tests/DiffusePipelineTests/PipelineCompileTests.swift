import DiffuseSources
import Testing
import DiffuseBench
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import DiffuseTestSupport

/// `compile: true` (`diffuse generate --compile`, `diffuse bench unet --compile`) on the tiny fixtures.
@Suite struct PipelineCompileTests {
    /// The compiled UNet runs every step (captured at step 1, replayed at 2–4) and gives eager's image.
    /// Tolerance 1e-4 on [0, 1] pixels: each compiled step differs from eager by ≈ 1e-6 of the output's
    /// scale (fused bias / residual summation order), carried through 4 scheduler steps and the VAE.
    @Test func compiledGenerateEqualsEager() throws {
        var config = GenerationConfiguration(prompt: "a red circle")
        config.steps = 4
        config.seed = 7
        let eager = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1")).generate(config)
        let pipe = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1"), compile: true)
        let compiled = try pipe.generate(config)
        let report = closeness(compiled.images, eager.images, rtol: 0, atol: 1e-4)
        print("compiled vs eager generate: \(report)")
        #expect(report.passes)
        let summaries = try #require(pipe.compiledUNet?.summaries)
        #expect(summaries.count == 1)                                   // one shape for all steps
        #expect(summaries[0].inputShapes[0] == [2, 4, 16, 16])           // guidance doubles the batch
    }

    @Test func benchCompiledCellReportsCompileTime() throws {
        var lines: [String] = []
        var settings = ModelBenchmark.Settings()
        (settings.warmup, settings.repeats) = (0, 1)
        let source = BenchModelSource.folder(try ModelFolder(path: FixturePaths.path("tiny-sd1")))
        let session = ModelBenchSession(source: source, settings: settings, json: true, profile: false) { lines.append($0) }
        let grid = BenchGrid(arch: "tiny-sd1", component: .unet, sizes: [(64, 64)], batches: [1], attentions: [.flash],
                             precisions: [.f32], compiled: [false, true])
        let results = try session.run(grid)
        #expect(results.map(\.status) == [.ok, .ok])
        #expect(results.map(\.compiled) == [false, true])
        #expect(results[0].compileSeconds == nil && (results[1].compileSeconds ?? 0) > 0)
        #expect(lines.contains { $0.contains("\"compiled\":true") && $0.contains("\"compile_seconds\":") })
        #expect(lines.contains { $0.contains("arena") })                // the compile summary note
    }
}

extension PipelineCompileTests {
    /// bf16: no fusion applies (bf16 weights run on the bf16 GEMM backend), so the replay runs eager's very
    /// ops on eager's kernels: the image is bit-identical.
    @Test func compiledBF16GenerateIsBitExact() throws {
        var config = GenerationConfiguration(prompt: "a blue square")
        config.steps = 3
        config.seed = 3
        let eager = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd2"), precision: .bf16).generate(config)
        let pipe = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd2"), precision: .bf16, compile: true)
        let compiled = try pipe.generate(config)
        #expect(compiled.images.floats() == eager.images.floats())
        let summary = try #require(pipe.compiledUNet?.summaries.first)
        #expect(summary.fusedBiases == 0 && summary.arenaBytes > 0)
    }
}

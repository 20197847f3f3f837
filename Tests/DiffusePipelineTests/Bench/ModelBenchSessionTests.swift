import DiffuseBench
import DiffuseCore
import DiffuseCPU
import DiffuseNN
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport
import Testing

/// The whole `diffuse bench unet` path on the tiny SD 1 fixture (one quick cell each; no timing assertions).
struct ModelBenchSessionTests {
    static func source() throws -> BenchModelSource { .folder(try ModelFolder(path: FixturePaths.path("tiny-sd1"))) }

    @Test func oneCellRunsAndPrintsJSON() throws {
        var lines: [String] = []
        var settings = ModelBenchmark.Settings()
        (settings.warmup, settings.repeats) = (0, 1)
        let session = ModelBenchSession(source: try Self.source(), settings: settings, json: true, profile: true) { lines.append($0) }
        let grid = BenchGrid(arch: "tiny-sd1", component: .unet, sizes: [(64, 64)], batches: [1], attentions: [.flash],
                             precisions: [.f32])
        let results = try session.run(grid)
        #expect(results.count == 1)
        let r = try #require(results.first)
        #expect(r.status == .ok)
        #expect((r.secondsPerStep ?? 0) > 0)
        #expect(r.speedupVsVanilla == nil)                            // no vanilla cell in this grid
        #expect((r.peakTensorBytes ?? 0) > 0)
        #if os(Linux)
        #expect((r.peakRSSBytes ?? 0) >= (r.peakTensorBytes ?? 0) / 2)
        #endif
        let parsed = lines.compactMap { try? BenchResult(jsonLine: $0) }
        #expect(parsed.map(\.jsonLine) == results.map(\.jsonLine))      // JSON keeps 6 decimals of seconds
        #expect(lines.contains { $0.hasPrefix("{\"profile\":[") && $0.contains("\"op\":\"sdpa flash\"") })
    }

    /// An SDXL folder (tiny-sdxl): text_encoder_2 built, the prompt stage as SDXL's (both encoders'
    /// penultimate states concatenated, pooled text_embeds), the UNet given its added conditions in `unet`
    /// and `pipeline` cells, eager and compiled.
    @Test func sdxlCellsRun() throws {
        let source = BenchModelSource.folder(try ModelFolder(path: FixturePaths.path("tiny-sdxl")))
        let models = try source.build(.textEncoder, precision: .f32, seed: 0, backend: CPUBackend(), profile: nil)
        let ids = Tensor(ids: [Int](repeating: 7, count: 2 * 77), shape: [2, 77])
        let prompt = try models.encodePrompt(ids)
        #expect(prompt.hidden.shape == [2, 77, source.configs.contextWidth])   // 32 + 48
        #expect(prompt.pooled?.shape == [2, 40])
        var settings = ModelBenchmark.Settings()
        (settings.warmup, settings.repeats, settings.pipelineSteps) = (0, 1, 2)
        for component in [BenchComponent.unet, .textEncoder, .pipeline] {
            let session = ModelBenchSession(source: source, settings: settings, json: true, profile: false) { _ in }
            let grid = BenchGrid(arch: "tiny-sdxl", component: component, sizes: [(32, 32)], batches: [1],
                                 attentions: [.flash], precisions: [.f32],
                                 compiled: component == .textEncoder ? [false] : [false, true])
            let results = try session.run(grid)
            #expect(results.count == grid.cells.count)
            #expect(results.allSatisfy { $0.status == .ok }, "\(component): \(results.compactMap(\.reason))")
        }
    }

    /// `--vae kl tiny` and `--guidance-scale 1` (the few-step rows of docs/benchmarks.md): both decoders run
    /// in `vae` and `pipeline` cells, each result says which (and the pipeline whether it was guided), the
    /// tiny cells' prediction is the tiny autoencoder's, and `--compare` pairs cells only with the same decoder.
    @Test func tinyDecoderAndUnguidedPipelineCellsRun() throws {
        let source = try Self.source()
        var settings = ModelBenchmark.Settings()
        (settings.warmup, settings.repeats, settings.pipelineSteps, settings.guidanceScale) = (0, 1, 2, 1)
        for component in [BenchComponent.vae, .pipeline] {
            let session = ModelBenchSession(source: source, settings: settings, json: true, profile: false) { _ in }
            let grid = BenchGrid(arch: "tiny-sd1", component: component, sizes: [(64, 64)], batches: [1],
                                 attentions: [.flash], precisions: [.f32], vaes: [.kl, .tiny])
            let results = try session.run(grid)
            #expect(results.map(\.vae) == ["kl", "tiny"])
            #expect(results.allSatisfy { $0.status == .ok }, "\(component): \(results.compactMap(\.reason))")
            #expect(results.map(\.guided) == (component == .pipeline ? [false, false] : [nil, nil]))
            #expect(results[1].variant.contains("tiny-vae"))
            // A PyTorch result for the KL decoder only: the tiny cell finds no partner.
            var torch = results[0]
            torch.source = "torch"
            let rows = BenchComparison(diffuse: results, other: [torch]).rows
            #expect(rows.map { $0.other != nil } == [true, false])
        }
        let decode = MemoryRequest(call: .vae, width: 64, height: 64, batch: 1, attention: MemoryAttention(.flash))
        #expect(source.configs.memoryModel(vae: .tiny).peakBytes(decode, weights: .bytes(0))
                == 4 * 64 * 64 * MemoryModel.vaeActivationFactor * 64)       // TAESD: 64 channels at full size
        // Other components ignore the decoders.
        #expect(BenchGrid(arch: "x", component: .unet, sizes: [(64, 64)], batches: [1], attentions: [.flash],
                          precisions: [.f32], vaes: [.kl, .tiny]).cells.count == 1)
    }

    /// Under a limit between the two predictions, vanilla is marked oom without running (no time),
    /// flash runs; a larger batch of vanilla is skipped as well.
    @Test func memoryLimitSkipsVanillaFirst() throws {
        let source = try Self.source()
        let prediction = source.configs.memoryModel()
        let models = try source.build(.unet, precision: .f32, seed: 0, backend: CPUBackend(), profile: nil)
        let cell = { (attention: AttentionChoice, batch: Int) in
            BenchCell(arch: "tiny-sd1", component: .unet, width: 128, height: 128, batch: batch, attention: attention,
                      precision: .f32)
        }
        let vanilla = prediction.peakBytes(cell(.vanilla, 1).memoryRequest, weights: .bytes(models.weightBytes))
        let flash = prediction.peakBytes(cell(.flash, 1).memoryRequest, weights: .bytes(models.weightBytes))
        #expect(flash < vanilla)
        var settings = ModelBenchmark.Settings()
        (settings.warmup, settings.repeats, settings.memoryLimit) = (0, 1, .option((vanilla + flash) / 2))
        let benchmark = ModelBenchmark(settings: settings)
        let results = [cell(.vanilla, 1), cell(.flash, 1), cell(.vanilla, 2)].map {
            benchmark.run($0, models: models, configs: source.configs)
        }
        // Vanilla (batch 1 and 2) is skipped on its prediction; flash runs and is timed. (Flash may still be
        // marked oom afterwards by its *measured* peak RSS: VmHWM is the whole test process's, and other
        // suites run beside this one.)
        #expect(results[0].status == .oom && results[2].status == .oom && results[2].secondsPerStep == nil)
        #expect(results[1].secondsPerStep != nil, "flash must run: \(results[1].reason ?? "")")
        #expect(results[1].status == .ok || results[1].reason?.contains("measured peak RSS") == true)
        #expect(results[0].secondsPerStep == nil && results[0].predictedBytes == vanilla)
        #expect(results[0].reason?.contains("predicted") == true)
    }

    /// The profiler forwards ops unchanged and charges them by kind, with 2·M·N·K FLOPs for a matmul.
    @Test func profilingBackendCountsOps() throws {
        let profile = OpProfile()
        let backend = ProfilingBackend(base: CPUBackend(), profile: profile)
        let a = SyntheticWeights.uniform([3, 16, 8], seed: 1), b = SyntheticWeights.uniform([8, 4], seed: 2)
        let product = backend.matmul(a, b)
        #expect(product.floats() == CPUBackend().matmul(a, b).floats())
        _ = backend.add(product, product)
        _ = backend.add(product, product)
        let entries = Dictionary(uniqueKeysWithValues: profile.sorted.map { ($0.kind, $0.entry) })
        #expect(entries["matmul"]?.calls == 1)
        let flops = try #require(entries["matmul"]?.flops)
        #expect(flops == Double(2 * 48 * 4 * 8))
        #expect(entries["add"]?.calls == 2)
        #expect(profile.table(total: 1).count == 1 + 2 + 1)          // header, two kinds, outside
        // With the machine's peak: a "% peak" column, the matmul's rate over it, "-" where FLOPs are unknown.
        let rate = flops / entries["matmul"]!.seconds / 1e9
        let lines = profile.table(total: 1, peak: rate * 4)
        #expect(lines[0].hasSuffix("% peak"))
        #expect(lines.first { $0.hasPrefix("matmul") }?.hasSuffix(" 25") == true, "\(lines)")
        #expect(lines.first { $0.hasPrefix("add") }?.hasSuffix(" -") == true, "\(lines)")
    }

    /// With `byShape` (`--profile-shapes`) each (kind, shape) pair is charged as well and listed after the kinds.
    @Test func profileByShape() throws {
        let profile = OpProfile(byShape: true)
        let backend = ProfilingBackend(base: CPUBackend(), profile: profile)
        let x = SyntheticWeights.uniform([1, 5, 8], seed: 3), w = SyntheticWeights.uniform([12, 8], seed: 4)
        for _ in 0..<2 { _ = backend.matmul(x, w, transposeA: false, transposeB: true, alpha: 1, beta: 0, c: nil) }
        _ = backend.add(x, x)
        let shapes = Dictionary(uniqueKeysWithValues: profile.sortedShapes.map { ($0.kind, $0.entry) })
        #expect(shapes["matmul M 5 N 12 K 8 Bᵀ"]?.calls == 2)
        #expect(shapes["matmul M 5 N 12 K 8 Bᵀ"]?.flops == Double(2 * 2 * 5 * 12 * 8))
        #expect(shapes["add"]?.calls == 1)
        #expect(profile.table(total: 1).count == (1 + 2 + 1) + 1 + (1 + 2))   // kinds, blank line, shapes
    }

    #if os(Linux)
    @Test func peakResidentMemoryResets() throws {
        #expect(ProcessMemory.resetPeak())
        let peak = try #require(ProcessMemory.peakResidentBytes)
        let rss = try #require(ProcessMemory.residentBytes)
        #expect(peak >= rss / 2 && peak > 0)
        #expect((ProcessMemory.machineBytes ?? 0) > peak)
        #expect(!ProcessMemory.cpuModel.isEmpty)
    }
    #endif
}

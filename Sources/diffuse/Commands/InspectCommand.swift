import ArgumentParser
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffusePipeline

/// `diffuse inspect --model DIR|org/name`: where the files were found (folder, Hugging Face cache
/// snapshot, or downloaded), what the diffusers folder holds and whether Diffuse can load it — each
/// component's config summary, parameter count, stored dtypes, and the result of the key check (every
/// checkpoint key used, every parameter filled, every shape right).
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Describe a diffusers model folder and check its weights against its configs.")

    @OptionGroup var common: CommonOptions
    @Option(help: "A diffusers model folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/) or a hub id org/name (Hugging Face cache, else downloaded into it).")
    var model: String
    @Option(help: "Hub id only: branch, tag or commit hash (default main).")
    var revision: String?
    @Option(help: "Weights variant, e.g. fp16 for *.fp16.safetensors (hub ids: only those are downloaded).")
    var variant: String?

    func run() throws {
        try common.apply()
        let resolved = try ModelSource.locate(model, revision: revision, variant: variant,
                                              progress: DownloadProgress.standardError())
        let folder = try ModelFolder(path: resolved.path, variant: variant)
        let index = folder.modelIndex
        print("\(model): \(index.className)" + (index.diffusersVersion.map { " (diffusers \($0))" } ?? ""))
        print("found: \(resolved.location)" + (variant.map { ", variant \($0)" } ?? ""))
        let unsupported = folder.unsupportedFeatures()
        var problems = unsupported.count

        let tokenizer = try CLIPTokenizer(folder: folder.componentPath("tokenizer"))
        print("tokenizer: \(tokenizer.vocabularySize) tokens, max length \(tokenizer.maxLength), "
              + "pad \"\(tokenizer.padToken)\" (\(tokenizer.padTokenID))")
        let scheduler = folder.scheduler
        print("scheduler: \(scheduler.className ?? "?"), \(scheduler.betaSchedule) betas, "
              + "prediction \(scheduler.predictionType)")

        let backend = CPUBackend()
        problems += report("text_encoder", folder.textEncoderWeights) { dtype in
            try CLIPTextModel(config: folder.textEncoder, weightFiles: folder.textEncoderWeights.files,
                              dtype: dtype, backend: backend).summary
        }
        problems += report("unet", folder.unetWeights) { dtype in
            let unet = try UNet2DConditionModel(config: folder.unet, weightFiles: folder.unetWeights.files,
                                                dtype: dtype, backend: backend)
            return "UNet2DConditionModel: " + unet.blockSummary.joined(separator: "; ")
        }
        problems += report("vae", folder.vaeWeights) { dtype in
            try AutoencoderKL(config: folder.vae, weightFiles: folder.vaeWeights.files, dtype: dtype,
                              backend: backend).summary
        }
        for issue in unsupported { print("unsupported: \(issue)") }
        if problems > 0 { throw ExitCode(1) }
        print("ok: every component loads")
    }

    /// Prints one component: files, stored dtypes and parameter counts, then builds it (weights stay
    /// memory-mapped: it is built in its stored dtype) and prints its summary or the key-check error.
    private func report(_ name: String, _ weights: WeightFiles, build: (DType) throws -> String) -> Int {
        var counts: [DType: Int] = [:]
        var bytes = 0
        for path in weights.files {
            guard let file = try? SafeTensorsFile(path: path) else { continue }
            for info in file.infos { counts[info.dtype, default: 0] += info.count; bytes += info.byteCount }
        }
        let stored = counts.sorted { $0.value > $1.value }
        let parameters = stored.reduce(0) { $0 + $1.value }
        print("\(name): \(weights.files.count) file\(weights.files.count == 1 ? "" : "s"), "
              + "\(formatCount(parameters)) parameters, \(formatBytes(bytes)), stored "
              + stored.map { "\($0.key) \(formatCount($0.value))" }.joined(separator: ", "))
        let dtype = stored.first.map { $0.key.isFloatingPoint ? $0.key : .f32 } ?? .f32
        do {
            print("  " + (try build(dtype)))
            print("  key check: ok (every key used, every parameter filled, every shape matches)")
            return 0
        } catch {
            print("  key check: FAILED\n" + "\(error)".split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
            return 1
        }
    }
}

func formatCount(_ n: Int) -> String {
    n >= 1_000_000 ? fmt(Double(n) / 1e6, 1) + "M" : n >= 1000 ? fmt(Double(n) / 1e3, 1) + "k" : "\(n)"
}

func formatBytes(_ n: Int) -> String {
    n >= 1 << 30 ? fmt(Double(n) / Double(1 << 30), 2) + " GiB" : fmt(Double(n) / Double(1 << 20), 1) + " MiB"
}

import ArgumentParser
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffusePipeline
import DiffuseSources

/// `diffuse inspect --model DIR|org/name|FILE.safetensors`: where the files were found (folder, Hugging
/// Face cache snapshot, downloaded, or a single-file checkpoint and its configs), what the model holds and whether Diffuse can load it — each
/// component's config summary, parameter count, stored dtypes, and the result of the key check (every
/// checkpoint key used, every parameter filled, every shape right). With `--vae`, the VAE reported is the
/// replacement (`AutoencoderKL` or `AutoencoderTiny`), checked against the UNet's latent channels too.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect", abstract: "Describe a diffusers model folder and check its weights against its configs.")

    @OptionGroup var common: CommonOptions
    @OptionGroup var source: ModelOptions

    func run() throws {
        try common.apply()
        let request = try source.request()
        let (folder, resolved) = try ModelSource.open(request, progress: DownloadProgress.standardError())
        let index = folder.modelIndex
        print("\(request.model): \(index.className)" + (index.diffusersVersion.map { " (diffusers \($0))" } ?? ""))
        print("found: \(resolved.location)" + (request.variant.map { ", variant \($0)" } ?? ""))
        let unsupported = folder.unsupportedFeatures()
        var problems = unsupported.count

        for (name, present) in [("tokenizer", folder.tokenizer != nil), ("tokenizer_2", folder.tokenizer2 != nil)] where present {
            let tokenizer = try CLIPTokenizer(folder: folder.componentPath(name))
            print("\(name): \(tokenizer.vocabularySize) tokens, max length \(tokenizer.maxLength), "
                  + "pad \"\(tokenizer.padToken)\" (\(tokenizer.padTokenID))")
        }
        let scheduler = folder.scheduler
        print("scheduler: \(scheduler.className ?? "?"), \(scheduler.betaSchedule) betas, "
              + "prediction \(scheduler.predictionType)")

        let backend = CPUBackend()
        for (component, config) in [(SingleFileCheckpoint.Component.textEncoder, folder.textEncoder),
                                    (.textEncoder2, folder.textEncoder2)] {
            guard let config else { continue }
            problems += report(component.rawValue, component, folder) { store in
                try CLIPTextModel(config: config, weights: store, backend: backend).summary
            }
        }
        problems += report("unet", .unet, folder) { store in
            let unet = try UNet2DConditionModel(config: folder.unet, weights: store, backend: backend)
            return "UNet2DConditionModel: " + unet.blockSummary.joined(separator: "; ")
        }
        if let (vae, vaeResolved) = try source.vaeFolder(progress: DownloadProgress.standardError()) {
            print("vae: replaced by \(source.vae!), found: \(vaeResolved.location)")
            problems += report("vae", place: "\(vae.weights.files.count) file\(vae.weights.files.count == 1 ? "" : "s")",
                               store: { try WeightStore(files: vae.weights.files, dtype: $0) }) { store in
                try GenerationLimits(folder: folder, vae: vae, attentionProcessor: nil).checkVAE()
                return try vae.config.autoencoder(weights: store, backend: backend).summary
            }
        } else {
            problems += report("vae", .vae, folder) { store in
                try AutoencoderKL(config: folder.vae, weights: store, backend: backend).summary
            }
        }
        for issue in unsupported { print("unsupported: \(issue)") }
        if problems > 0 { throw ExitCode(1) }
        print("ok: every component loads")
    }

    /// Prints one component: where its weights are, stored dtypes and parameter counts, then builds it
    /// (weights stay memory-mapped: it is built in its stored dtype) and prints its summary or the
    /// key-check error.
    private func report(_ name: String, _ component: SingleFileCheckpoint.Component, _ folder: ModelFolder,
                        build: (WeightStore) throws -> String) -> Int {
        let files = folder.weightFiles(component)?.files ?? []
        let place = folder.checkpoint != nil ? "in the single file" : "\(files.count) file\(files.count == 1 ? "" : "s")"
        return report(name, place: place, store: { try folder.weightStore(component, dtype: $0) }, build: build)
    }

    /// `report` for weights from `store` (a store of the files in the given dtype, nil: as stored), found at
    /// `place`.
    private func report(_ name: String, place: String, store: (DType?) throws -> WeightStore,
                        build: (WeightStore) throws -> String) -> Int {
        do {
            // First pass in stored dtypes for the counts, then a store in the dominant dtype to build from.
            let counts = try store(nil).storedDTypes
            let stored = counts.sorted { $0.value > $1.value }
            let parameters = stored.reduce(0) { $0 + $1.value }
            let bytes = stored.reduce(0) { $0 + $1.value * $1.key.byteSize }
            print("\(name): \(place), \(formatCount(parameters)) parameters, \(formatBytes(bytes)), stored "
                  + stored.map { "\($0.key) \(formatCount($0.value))" }.joined(separator: ", "))
            let dtype = stored.first.map { $0.key.isFloatingPoint ? $0.key : .f32 } ?? .f32
            print("  " + (try build(try store(dtype))))
            print("  key check: ok (every key used, every parameter filled, every shape matches)")
            return 0
        } catch {
            print("  key check: FAILED (the error is on stderr)")
            ProgressReporter.write("error: \(name): " + "\(error)".split(whereSeparator: \.isNewline).joined(separator: "; ") + "\n")
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

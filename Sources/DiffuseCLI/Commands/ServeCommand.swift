#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import DiffusePipeline
import DiffuseServer
import DiffuseSources
import Logging

/// `diffuse serve`: the A1111 (`/sdapi/v1/…`) and OpenAI (`/v1/images/generations`) image APIs over HTTP
/// (`DiffuseServer`, docs/serving.md). The model is loaded before the server listens, so `/health`
/// answers 200 from the first request on; SIGTERM / Ctrl-C drain the queue and exit 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the A1111 web API and OpenAI's images API over HTTP (docs/serving.md).")

    @OptionGroup var source: ModelOptions

    @Option(help: "Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface).")
    var host = "127.0.0.1"

    @Option(help: "TCP port (A1111's is 7860).")
    var port = 7860

    @Option(help: "Jobs that may wait behind the running one; more are answered 429 with Retry-After.")
    var maxQueue = 8

    @Option(help: "Require `Authorization: Bearer KEY` on every route but /health (or set DIFFUSE_API_KEY).")
    var apiKey: String?

    @Option(help: "A folder of models (diffusers folders, .safetensors checkpoints) that sd_model_checkpoint can switch to.")
    var modelsDir: String?

    @Option(help: "A folder of LoRA .safetensors files that <lora:name:weight> in a prompt applies.")
    var loraDir: String?

    @Option(help: "f32|f16|bf16 (f16/bf16: UNet + text-encoder weights in that type, f32 compute).")
    var precision: String = "f32"

    @OptionGroup var common: CommonOptions

    func run() async throws {
        do { try await serve() } catch let error as GenerateError {
            ProgressReporter.write("error: \(error)\n")
            throw ExitCode(1)
        }
    }

    func serve() async throws {
        do { try common.apply() } catch let error as ValidationError { throw GenerateError(error.message) }
        guard (0...65535).contains(port) else { throw GenerateError("--port must be between 0 and 65535, got \(port)") }
        guard maxQueue >= 0 else { throw GenerateError("--max-queue must be 0 or more, got \(maxQueue)") }
        for (name, folder) in [("--models-dir", modelsDir), ("--lora-dir", loraDir)] {
            if let folder, (try? FileManager.default.contentsOfDirectory(atPath: folder)) == nil {
                throw GenerateError("\(name) \(folder) is not a folder")
            }
        }
        let precisionChoice = try GenerateChoices.precision(precision)
        let vae = try source.vaeFolder(progress: DownloadProgress.standardError())?.folder
        let backend = common.backend()
        let request = try source.request()
        let load: ModelStore.Loader = { model in
            let (folder, _) = try ModelSource.open(model == request.model ? request : ModelSource.Request(model: model))
            return try StableDiffusionPipeline(folder: folder, vae: vae, precision: precisionChoice, backend: backend)
        }
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        let logger = Logger(label: "diffuse.serve")
        logger.info("loading model", metadata: ["model": .string(request.model)])
        let pipeline = try load(request.model)
        var options = DiffuseServer.Options()
        options.host = host
        options.port = port
        options.maxQueue = maxQueue
        options.apiKey = apiKey ?? ProcessInfo.processInfo.environment["DIFFUSE_API_KEY"]
        let store = ModelStore(model: request.model, pipeline: pipeline, modelsDir: modelsDir, loraDir: loraDir, load: load)
        try await DiffuseServer(options: options, store: store).run(logger: logger)
    }
}

import ArgumentParser
import DiffuseBench

/// `diffuse bench unet|vae|text-encoder|pipeline`: the study's grid on full-size models (seeded random
/// weights for `--arch`, or `--model`) — attention choice × batch × precision × size (× compile), with
/// seconds per call, images per second, peak memory, speed-up over vanilla, OOM marks, charts and the
/// PyTorch comparison. Options: `ModelBenchOptions`; the run: `ModelBenchRunner`.
struct BenchUNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet", abstract: "Benchmark UNet calls over attention × batch × precision × size.")
    @OptionGroup var options: ModelBenchOptions
    func run() throws { try ModelBenchRunner(options: options, component: .unet).run() }
}

struct BenchVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vae", abstract: "Benchmark VAE decodes over attention × batch × precision × size.")
    @OptionGroup var options: ModelBenchOptions
    func run() throws { try ModelBenchRunner(options: options, component: .vae).run() }
}

struct BenchTextEncoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "text-encoder", abstract: "Benchmark the text encoder over attention × batch × precision.")
    @OptionGroup var options: ModelBenchOptions
    func run() throws { try ModelBenchRunner(options: options, component: .textEncoder).run() }
}

struct BenchPipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Benchmark whole text-to-image runs (text encoder, --steps UNet calls with CFG, VAE decode).")
    @OptionGroup var options: ModelBenchOptions
    func run() throws { try ModelBenchRunner(options: options, component: .pipeline).run() }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import DiffuseBench
import DiffuseNN
import DiffusePipeline
import DiffuseSources

/// The options of `diffuse bench unet|vae|text-encoder|pipeline`.
struct ModelBenchOptions: ParsableArguments {
    @OptionGroup var common: CommonOptions

    @Option(help: "Built-in model family with seeded random weights: \(SyntheticArch.names) (default sd15 unless --model).")
    var arch: String?
    @Option(help: "A diffusers model folder or hub id from the local Hugging Face cache (real weights) instead of --arch.")
    var model: String?
    @Option(help: "With a hub id: the ref or commit.")
    var revision: String?
    @Option(help: "With --model: weight files variant, e.g. fp16 (reads *.fp16.safetensors).")
    var variant: String?

    @Option(parsing: .upToNextOption, help: "Attention choices: \(AttentionChoice.names).")
    var attention: [String] = ["vanilla", "memory-efficient", "flash"]
    @Option(parsing: .upToNextOption, help: "Batch sizes.")
    var batch: [Int] = [1, 2, 4, 8]
    @Option(parsing: .upToNextOption, help: "Precisions: f32, f16, bf16.")
    var precision: [String] = ["f32"]
    @Option(parsing: .upToNextOption, help: "Image sizes: N or WxH (default: the model's own).")
    var size: [String] = []
    @Flag(help: "Also run every cell compiled (Diffuse: CompiledUNet, compile time reported apart; PyTorch: torch.compile).")
    var compile = false

    @OptionGroup var memory: MemoryLimitOption
    @Option(help: "Untimed calls per cell before timing.")
    var warmup = 1
    @Option(help: "Timed calls per cell; the median is reported.")
    var repeats = 3
    @Option(help: "UNet calls per pipeline run (bench pipeline).")
    var steps = 20
    @Option(parsing: .upToNextOption, help: "Decoders (vae, pipeline): kl (the model's AutoencoderKL), tiny (TAESD's architecture, random weights; as `generate --vae madebyollin/taesd`).")
    var vae: [String] = ["kl"]
    @Option(help: "Pipeline: guidance scale; ≤ 1 runs one UNet pass per step (LCM, Turbo), > 1 two (classifier-free guidance).")
    var guidanceScale = 7.5
    @Flag(help: "Decode tiled and one image at a time (vae, pipeline), as `generate --vae-tiling` (PyTorch: vae.enable_tiling()).")
    var vaeTiling = false
    @Option(help: "Seed of the random weights and inputs.")
    var seed: UInt64 = 0

    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false
    @Option(help: "Write a speed-up chart: FILE.svg or FILE.png (repeatable).")
    var chart: [String] = []
    @Option(help: "JSON lines from Scripts/bench_torch_models.py (or another run): print Diffuse / them per cell.")
    var compare: String?
    @Option(help: ArgumentHelp(
        "Also run these baselines with the same grid in this run and print Diffuse / each per cell: a comma list of \(BenchBaseline.names).",
        discussion: "Each runs its script in Scripts/ (bench_torch_models.py, bench_openvino.py, bench_onnxruntime.py) with --python; the same models, weights and inputs.",
        valueName: "names"))
    var baseline: [String] = []
    @Flag(help: "Same as --baseline torch.")
    var torch = false
    @Option(help: "Python interpreter for --baseline: torch, diffusers and transformers, plus openvino (openvino) or onnxruntime, onnx and onnxscript (onnxruntime).")
    var python = "python3"
    @Flag(help: "Print time per op kind after each cell.")
    var profile = false
    @Flag(help: "With the profile, also print time per op shape (matmul M N K, conv channels and size, attention).")
    var profileShapes = false

    func validate() throws {
        guard warmup >= 0 else { throw ValidationError("--warmup must be at least 0, got \(warmup)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        guard guidanceScale.isFinite, guidanceScale >= 0, guidanceScale <= 100 else {
            throw ValidationError("--guidance-scale must be between 0 and 100, got \(guidanceScale)")
        }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
        guard batch.allSatisfy({ $0 >= 1 && $0 <= BenchGrid.maxBatch }), !batch.isEmpty else {
            throw ValidationError("--batch sizes must be between 1 and \(BenchGrid.maxBatch), got \(batch)")
        }
        if arch != nil && model != nil { throw ValidationError("give --arch or --model, not both") }
        if let compare, access(compare, R_OK) != 0 {
            throw ValidationError("--compare \(compare): cannot read the file; pass JSON lines written by --json or Scripts/bench_torch_models.py")
        }
        for name in chart where !(name.hasSuffix(".svg") || name.hasSuffix(".png")) {
            throw ValidationError("--chart \(name): the file name must end in .svg or .png")
        }
        _ = try baselines()
    }

    /// `--baseline` (comma lists) and `--torch`, each baseline once, in the order named.
    func baselines() throws -> [BenchBaseline] {
        do { return try BenchBaseline.parse(baseline, torch: torch) } catch { throw ValidationError("\(error)") }
    }

    /// The weights' source.
    func source() throws -> BenchModelSource {
        if let model {
            return .folder(try ModelSource.open(ModelSource.Request(model: model, revision: revision, variant: variant),
                                                progress: DownloadProgress.standardError()).folder)
        }
        let name = arch ?? "sd15"
        guard let choice = SyntheticArch(rawValue: name.lowercased()) else {
            throw ValidationError("unknown --arch \(name); use \(SyntheticArch.names), or --model DIR for real weights")
        }
        return .synthetic(choice)
    }

    func attentionChoices() throws -> [AttentionChoice] {
        try attention.map { name in
            guard let choice = AttentionChoice(userName: name) else {
                throw ValidationError("unknown --attention \(name); use \(AttentionChoice.names)")
            }
            return choice
        }
    }

    func vaes() throws -> [BenchVAE] {
        try vae.map { name in
            guard let choice = BenchVAE(rawValue: name.lowercased()) else {
                throw ValidationError("unknown --vae \(name); use \(BenchVAE.names)")
            }
            return choice
        }
    }

    func precisions() throws -> [Precision] {
        try precision.map { name in
            guard let p = Precision(rawValue: name.lowercased()) else {
                throw ValidationError("unknown --precision \(name); use f32, f16 or bf16")
            }
            return p
        }
    }
}

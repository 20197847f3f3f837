import ArgumentParser
import DiffuseCore
import DiffuseCPU
import DiffuseNN

/// `diffuse devices`: what this machine offers the kernels.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "devices",
                                                    abstract: "Print the compute devices and CPU features.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Attention choice to explain: \(AttentionChoice.names).")
    var attention = "auto"
    @Option(help: "Storage dtype of q, k, v to explain: f32, f16 or bf16.")
    var precision = "f32"
    @Flag(help: "Skip the peak-rate measurement (about half a second).")
    var noPeak = false

    func run() throws {
        try common.apply()
        let features = CPUFeatures.current
        let model = CPUFeatures.modelName
        print("cpu: \(model.isEmpty ? "" : model + ", ")\(Parallel.machineCores) cores, using \(Parallel.threadCount) threads")
        print("cpu features: \(features)")
        if !noPeak {
            // Register-only FMA loops (CPUPeak): what every kernel's speed is a fraction of.
            for peak in CPUPeak.measure() { print("peak \(peak)") }
            #if DEBUG
            print("  (a debug build: these peaks are far below the machine's; build with -c release)")
            #endif
        }
        print("bf16 GEMM (AVX512-BF16): \(features.avx512bf16 ? "used" : "not available on this CPU; bf16 weights are computed in f32")")
        print("gpu: none (the CUDA backend is not built yet)")
        try explainAttention()
    }

    /// For the attention shapes of SD 1.5 and SD 2.1 at 512² and 768²: which SDPA kernel runs, and why
    /// each other one does not.
    private func explainAttention() throws {
        guard let choice = AttentionChoice(userName: attention) else {
            throw ValidationError("unknown --attention \(attention); use one of \(AttentionChoice.names)")
        }
        guard let dtype = DType(userName: precision), dtype.isFloatingPoint else {
            throw ValidationError("unknown --precision \(precision); use f32, f16 or bf16")
        }
        print("\nattention (--attention \(choice), \(dtype)): processor \(choice.processor.name)")
        guard choice.processor is ScaledDotProductAttention else {
            print("  \(choice) materialises the score matrix in every layer; no kernel choice is made")
            return
        }
        let backend = CPUBackend()
        let priority = choice.backends ?? SDPDispatch.defaultPriority
        do {
            for model in ["sd15", "sd21"] {
                for size in [512, 768] {
                    print("  \(model == "sd15" ? "SD 1.5" : "SD 2.1") at \(size)²:")
                    for shape in AttentionShape.unet(model, imageSize: size) {
                        let (q, k, v) = shape.views(dtype: dtype)
                        let verdicts = SDPDispatch.explain(q: q, k: k, v: v, priority: priority, on: backend)
                        let runs = verdicts.first { $0.verdict == .runs }.map { "\($0.backend)" } ?? "none (the call fails)"
                        let others = verdicts.filter { $0.verdict != .runs }.map(\.description).joined(separator: "; ")
                        let kind = shape.isCross ? "cross" : "self "
                        print("    \(kind) \(shape): \(runs) — \(others)")
                    }
                }
            }
        }
    }
}

import ArgumentParser
import DiffuseCore
import DiffuseCPU
import DiffuseNN

/// `diffuse bench attention`: the accelerated-attention study's kernel-level table. Each attention
/// backend on the SD 1.5 512² shapes (batch 2, 8 heads): seconds, GFLOP/s, extra bytes, speed-up over
/// vanilla — and PyTorch's CPU attention on the same shapes in the same run.
struct BenchAttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Benchmark attention: vanilla, math, memory-efficient and flash (and PyTorch) on SD 1.5 shapes.")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false
    @Option(help: "Timed runs per case; the median is reported.")
    var repeats = 5
    @Option(help: "Storage dtype of q, k, v: f32, f16 or bf16 (accumulation is f32).")
    var precision = "f32"
    @Option(parsing: .upToNextOption, help: "Shapes BxHxLqxLkvxD (default: the SD 1.5 512² ones).")
    var shapes: [String] = ["2x8x4096x4096x40", "2x8x1024x1024x80", "2x8x256x256x160", "2x8x4096x77x40"]
    @Option(parsing: .upToNextOption, help: "Backends: vanilla, sliced, math, memory-efficient, flash.")
    var backends: [String] = ["vanilla", "math", "memory-efficient", "flash"]
    @Flag(inversion: .prefixedNo, help: "Also time PyTorch (Scripts/bench_torch_attention.py) in the same run.")
    var torch = true
    @Option(help: "Python interpreter with torch, for the PyTorch baseline.")
    var python = "python3"

    func run() throws {
        try common.apply()
        guard let dtype = DType(userName: precision), dtype.isFloatingPoint else {
            throw ValidationError("unknown --precision \(precision); use f32, f16 or bf16")
        }
        let choices = try backends.map { name -> AttentionChoice in
            guard let choice = AttentionChoice(userName: name), choice != .auto else {
                throw ValidationError("unknown backend \(name); use vanilla, sliced, math, memory-efficient or flash")
            }
            return choice
        }
        let parsed = try shapes.map(Self.parse)
        let table = AttentionBenchTable(json: json)
        table.header()
        for (b, h, lq, lkv, d) in parsed {
            var random = BenchRandom(seed: 11)
            let q = random.tensor([b, h, lq, d], dtype: dtype), k = random.tensor([b, h, lkv, d], dtype: dtype)
            let v = random.tensor([b, h, lkv, d], dtype: dtype)
            let flops = 4 * Double(b * h) * Double(lq) * Double(lkv) * Double(d)
            var vanillaSeconds: Double?
            for choice in choices {
                let measured = try Self.measure(choice, q, k, v, repeats: repeats)
                if choice == .vanilla { vanillaSeconds = measured.seconds }
                table.row(AttentionBenchRow(source: "diffuse", backend: choice.rawValue, shape: (b, h, lq, lkv, d),
                                            dtype: dtype.rawValue, threads: Parallel.threadCount,
                                            seconds: measured.seconds, flops: flops, extraBytes: measured.extraBytes,
                                            vanillaSeconds: vanillaSeconds))
            }
            if torch {
                TorchAttentionBaseline(python: python, repeats: repeats, dtype: dtype.rawValue)
                    .run(shape: (b, h, lq, lkv, d), flops: flops, vanillaSeconds: vanillaSeconds, table: table)
            }
        }
    }

    static func parse(_ text: String) throws -> (Int, Int, Int, Int, Int) {
        let parts = text.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 5, parts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("shape \(text) is not BxHxLqxLkvxD with positive sizes")
        }
        return (parts[0], parts[1], parts[2], parts[3], parts[4])
    }

    /// Median seconds of one attention call, and the bytes it needed beyond its inputs and output:
    /// tensors it allocated (peak) plus the kernel's own scratch.
    static func measure(_ choice: AttentionChoice, _ q: Tensor, _ k: Tensor, _ v: Tensor,
                        repeats: Int) throws -> (seconds: Double, extraBytes: Int) {
        let backend = CPUBackend()
        let processor = choice.processor
        let scale = 1 / Float(q.size(-1)).squareRoot()
        var failure: Error?
        func call() -> Tensor? {
            do {
                return try processor.attend(query: q, key: k, value: v, mask: nil, scale: scale,
                                            options: AttentionOptions(), backend: backend)
            } catch { failure = error; return nil }
        }
        let before = HostAllocator.liveBytes
        HostAllocator.resetPeak()
        let output = call()
        if let failure { throw ValidationError("\(choice) cannot run \(q.shape): \(failure)") }
        let tensorBytes = HostAllocator.peakBytes - before - (output?.byteCount ?? 0)
        var scratch = 0
        if let kernel = choice.backends?.first ?? (processor is ScaledDotProductAttention ? .flash : nil) {
            scratch = backend.attentionScratchBytes(kernel, for: AttentionProblem(q: q, k: k, v: v))
        }
        let seconds = Timing.median(repeats: repeats, threads: Parallel.threadCount) { _ = call() }
        return (seconds, max(0, tensorBytes) + scratch)
    }
}

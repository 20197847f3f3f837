import ArgumentParser
import DiffuseCPU

/// `diffuse bench …`: benchmarks. Speed claims in this project are measured by these commands, never by tests.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmarks.",
                                                    subcommands: [BenchOpsCommand.self, BenchAttentionCommand.self, BenchUNetCommand.self,
                                                                  BenchVAECommand.self, BenchTextEncoderCommand.self,
                                                                  BenchPipelineCommand.self, BenchChartCommand.self,
                                                                  BenchTokenizerCommand.self])
}

/// `diffuse bench ops`: each CPU kernel on realistic shapes: median seconds, GFLOP/s, fraction of the
/// machine's measured FMA peak; optionally numpy/OpenBLAS on the same GEMM in the same run.
struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Benchmark the CPU kernels (GEMM, bf16 GEMM, conv2d, norms, softmax, activations, …).")

    @OptionGroup var common: CommonOptions
    @Flag(help: "Print one JSON object per line instead of a table.")
    var json = false
    @Option(help: "Timed runs per case; the median is reported.")
    var repeats = 5
    @Option(help: "Only cases whose op name contains this text (e.g. gemm, conv).")
    var filter: String?
    @Flag(help: "Smaller shapes, for a quick check that everything runs.")
    var quick = false
    @Flag(inversion: .prefixedNo, help: "Also time numpy (OpenBLAS) on the same GEMMs, in the same run.")
    var numpy = true
    @Option(help: "Python interpreter for the numpy baseline.")
    var python = "python3"
    @Option(help: "The numpy baseline script.")
    var numpyScript = "Scripts/bench_numpy.py"

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
    }

    func run() throws {
        try common.apply()
        let threads = Parallel.threadCount
        let report = BenchReport(json: json)
        let peaks = PeakTable(threads: threads, report: report)
        let cases = OpsBenchmark.cases(threads: threads, quick: quick)
            .filter { filter == nil || $0.op.contains(filter!) }
        report.header()
        for benchCase in cases {
            let seconds = Timing.median(repeats: repeats, threads: benchCase.threads, benchCase.prepare())
            report.row(BenchRow(source: "diffuse", op: benchCase.op, shape: benchCase.shape, dtype: benchCase.dtype,
                                threads: benchCase.threads, seconds: seconds, flops: benchCase.flops,
                                bytes: benchCase.bytes, peak: peaks.peak(threads: benchCase.threads)))
        }
        Parallel.threadCount = threads
        if numpy && (filter == nil || "gemm".contains(filter!) || filter!.contains("gemm")) {
            NumpyBaseline(python: python, script: numpyScript, quick: quick, repeats: repeats)
                .run(threads: Array(Set([1, threads])).sorted(), report: report, peaks: peaks)
        }
    }
}

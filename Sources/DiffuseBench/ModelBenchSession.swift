import DiffuseCore
import DiffuseCPU
import DiffusePipeline

/// One `diffuse bench <component>` run: builds the models once per precision, runs every cell of the
/// grid through `ModelBenchmark`, and prints each result as it is measured (table row or JSON line),
/// with the op profile after each cell when profiling.
public final class ModelBenchSession {
    public let source: BenchModelSource
    public let json: Bool
    public let benchmark: ModelBenchmark
    /// Receives every printed line (stdout in the command, an array in tests).
    let print: (String) -> Void
    /// The machine's peak rates, measured at the first profile table (`peakGFLOPS`).
    private var peaks: [CPUPeak]?

    public init(source: BenchModelSource, settings: ModelBenchmark.Settings, json: Bool, profile: Bool,
                profileShapes: Bool = false, print: @escaping (String) -> Void) {
        self.source = source
        self.json = json
        self.print = print
        benchmark = ModelBenchmark(settings: settings, profile: profile || profileShapes ? OpProfile(byShape: profileShapes) : nil)
    }

    /// After a precision's models are dropped, what they leave behind: the bf16 packings of the freed weights
    /// (dropped lazily, at the next bf16 miss, which an f32 model never makes) and freed heap pages. Left
    /// alone they count in the next precision's peak RSS — and in the memory a PyTorch run started after
    /// this session (`--torch`) finds (an SDXL f32 grid then ran out of memory).
    public static func releaseFreedModels() {
        BF16WeightCache.shared.removeAll()
        HostAllocator.returnFreedMemory()
    }

    /// Runs `grid` (whose `arch` and `component` this session's source and component must be);
    /// returns every result in grid order.
    public func run(_ grid: BenchGrid, backend: any Backend = CPUBackend()) throws -> [BenchResult] {
        let configs = source.configs
        if !json { print(BenchTable.header) }
        var results: [BenchResult] = []
        var models: BenchModels?
        var builtFor: Precision?
        for cell in grid.cells {
            if builtFor != cell.precision {
                models = nil                                       // free the previous precision's weights first
                Self.releaseFreedModels()
                let start = OpProfile.now()
                models = try source.build(grid.component, precision: cell.precision, seed: benchmark.settings.seed,
                                          backend: backend, profile: benchmark.profile,
                                          compile: grid.compiled.contains(true), tiny: grid.vaes.contains(.tiny))
                builtFor = cell.precision
                note("built \(source.archName) \(grid.component.rawValue) (\(cell.precision.rawValue)) in "
                     + fmt(OpProfile.now() - start, 1) + " s, weights " + formatBytes(models!.weightBytes))
            }
            let result = benchmark.run(cell, models: models!, configs: configs)
            results.append(result)
            print(json ? result.jsonLine : BenchTable.row(result))
            if cell.compiled, result.status == .ok, let summary = models?.compiledUNet?.summaries.last {
                note("    " + summary.description)
            }
            if let profile = benchmark.profile, result.status == .ok {
                let lines = profile.table(total: benchmark.lastTimedSeconds, peak: peakGFLOPS(cell.precision))
                if json {
                    print("{\"profile\":[" + profile.sorted.map { "{\"op\":\(jsonString($0.kind)),\"calls\":\($0.entry.calls),"
                        + "\"seconds\":\(fmt($0.entry.seconds, 6)),\"flops\":\(fmt($0.entry.flops, 0))}" }
                        .joined(separator: ",") + "]}")
                } else {
                    lines.forEach { print("    " + $0) }
                }
            }
        }
        return results
    }

    /// The machine's measured peak (`CPUPeak`, all threads) for the arithmetic `precision` runs in: bf16 dot
    /// products where the bf16 kernel runs (AVX512-BF16), else f32 FMAs (AVX-512 when present). Measured once.
    func peakGFLOPS(_ precision: Precision) -> Double? {
        if peaks == nil { peaks = CPUPeak.measure() }
        let useBF16 = precision != .f32 && CPUFeatures.current.avx512bf16
        let kinds: [CPUPeak.Kind] = useBF16 ? [.bf16AVX512] : [.f32AVX512, .f32AVX2]
        return kinds.lazy.compactMap { kind in self.peaks?.first { $0.kind == kind }?.allThreads }.first
    }

    /// A remark: a table line, or `{"note": …}` in JSON mode.
    public func note(_ text: String) {
        print(json ? JSONLine.encode(BenchNote(text)) : text)
    }
}

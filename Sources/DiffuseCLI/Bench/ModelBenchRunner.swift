#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import DiffuseBench
import DiffuseCPU
import DiffusePipeline

/// Runs `diffuse bench <component>`: the grid (`ModelBenchSession`), then optionally the baselines' grids
/// in the same run (`--baseline torch,openvino,onnxruntime`; `ModelBenchRunner+Baselines.swift`), the
/// comparison (`--compare`, `--baseline`: `BaselineComparison`) and the charts (`--chart`).
struct ModelBenchRunner {
    let options: ModelBenchOptions
    let component: BenchComponent

    func run() throws {
        try options.common.apply()
        let source = try options.source()
        let sizes = try (options.size.isEmpty ? ["\(source.defaultSize)"] : options.size).map {
            do { return try BenchGrid.parseSize($0) } catch { throw ValidationError("\(error)") }
        }
        let grid = BenchGrid(arch: source.archName, component: component, sizes: sizes, batches: options.batch,
                             attentions: try options.attentionChoices(), precisions: try options.precisions(),
                             compiled: options.compile ? [false, true] : [false], vaes: try options.vaes())
        var settings = ModelBenchmark.Settings()
        settings.warmup = options.warmup
        settings.repeats = options.repeats
        settings.pipelineSteps = options.steps
        settings.vaeTiling = options.vaeTiling
        settings.guidanceScale = options.guidanceScale
        settings.memoryLimit = try options.memory.limit()
        settings.seed = options.seed
        settings.baselineBytes = ProcessMemory.residentBytes ?? 0
        let session = ModelBenchSession(source: source, settings: settings, json: options.json, profile: options.profile,
                                        profileShapes: options.profileShapes,
                                        print: { Swift.print($0); fflush(nil) })
        session.note("\(machineCaption) · limit \(settings.memoryLimit?.description ?? "none") · "
                     + "\(component.rawValue), warm-up \(settings.warmup), median of \(settings.repeats)"
                     + (component == .pipeline ? ", \(settings.pipelineSteps) steps, guidance \(settings.guidanceScale)" : ""))
        var results = try session.run(grid)

        var others: [BenchResult] = []
        let baselines = try options.baselines()
        if !baselines.isEmpty {
            ModelBenchSession.releaseFreedModels()   // the models died with the session run; give back what they left
        }
        for baseline in baselines {
            others += runBaseline(baseline, grid: grid, settings: settings, session: session)
        }
        if let path = options.compare {
            do { others += try BenchResult.load(path: path) } catch { throw ValidationError("\(error)") }
        }
        if !others.isEmpty {
            let comparison = BaselineComparison(diffuse: results, others: others)
            session.note("")
            session.note("Diffuse / each baseline, per cell (matched by arch, component, size, batch, attention kind, precision, compiled):")
            comparison.table.forEach(session.note)
            session.note(comparison.legend)
            if options.json { comparison.ratios.forEach { Swift.print(JSONLine.encode($0)) } }
        }
        results += others.filter { $0.source != "diffuse" && $0.component == component.rawValue }
        for path in options.chart { try writeChart(results, to: path, grid: grid) }
    }

    /// "CPU model, N threads, YYYY-MM-DD" (the chart caption and the first line of output).
    var machineCaption: String {
        "\(ProcessMemory.cpuModel), \(Parallel.threadCount) thread\(Parallel.threadCount == 1 ? "" : "s"), \(today)"
    }

    var today: String {
        var now = time(nil), parts = tm()
        gmtime_r(&now, &parts)
        let two = { (v: Int32) in v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))"
    }

    func writeChart(_ results: [BenchResult], to path: String, grid: BenchGrid) throws {
        let sizes = Set(results.map { "\($0.width)x\($0.height)" }).sorted().joined(separator: ", ")
        let chart = SpeedupChart(results: results,
                                 title: "\(grid.arch) \(component.rawValue) \(sizes): speed-up over vanilla attention",
                                 caption: machineCaption)
        do { try ChartFile.write(chart, to: path) } catch { throw ValidationError("\(error)") }
        Swift.print(options.json ? JSONLine.encode(BenchNote("chart written to \(path)")) : "chart written to \(path)")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import DiffuseBench
import DiffuseCPU
import DiffusePipeline

/// Runs `diffuse bench <component>`: the grid (`ModelBenchSession`), then optionally PyTorch's grid in
/// the same run (`--torch`), the comparison (`--compare`, `--torch`) and the charts (`--chart`).
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
        if options.torch {
            ModelBenchSession.releaseFreedModels()   // the models died with the session run; give back what they left
            others += runTorch(grid, settings: settings, session: session)
        }
        if let path = options.compare {
            do { others += try BenchResult.load(path: path) } catch { throw ValidationError("\(error)") }
        }
        if !others.isEmpty {
            session.note("")
            session.note("Diffuse / other, per cell (matched by arch, component, size, batch, attention kind, precision, compiled):")
            BenchComparison(diffuse: results, other: others).table.forEach(session.note)
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

    /// `Scripts/bench_torch_models.py` with the same grid (vanilla → AttnProcessor, SDPA kinds →
    /// AttnProcessor2_0); its JSON lines are printed as they are and returned.
    func runTorch(_ grid: BenchGrid, settings: ModelBenchmark.Settings, session: ModelBenchSession) -> [BenchResult] {
        let script = "Scripts/bench_torch_models.py"
        guard access(script, R_OK) == 0 else {
            session.note("PyTorch run skipped: \(script) not found (run from the repository root)")
            return []
        }
        var kinds: [String] = []
        for choice in grid.attentions {
            let kind = choice == .vanilla ? "vanilla" : choice == .sliced ? "sliced" : "sdpa"
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        var command = "\(options.python) \(script) \(component.rawValue) --threads \(Parallel.threadCount)"
            + " --attention \(kinds.joined(separator: " ")) --batch \(grid.batches.map(String.init).joined(separator: " "))"
            + " --precision \(grid.precisions.map(\.rawValue).joined(separator: " "))"
            + " --size \(grid.sizes.map { "\($0.width)x\($0.height)" }.joined(separator: " "))"
            + " --warmup \(settings.warmup) --repeats \(settings.repeats) --steps \(settings.pipelineSteps) --seed \(settings.seed)"
        command += options.model.map { " --model '\($0)'" } ?? " --arch \(grid.arch)"
        if options.compile { command += " --compile" }
        if settings.vaeTiling { command += " --vae-tiling" }
        if component.needsVAE { command += " --vae \(grid.vaes.map(\.rawValue).joined(separator: " "))" }
        if component == .pipeline { command += " --guidance-scale \(settings.guidanceScale)" }
        if let limit = settings.memoryLimit { command += " --memory-limit \(limit.bytes)" }
        session.note("")
        session.note("PyTorch: \(command)")
        let (lines, succeeded) = ExternalBaseline.run(command)
        let results = lines.compactMap { line in line.hasPrefix("{") ? try? BenchResult(jsonLine: line) : nil }
        if options.json { lines.filter { $0.hasPrefix("{") }.forEach { Swift.print($0) } }
        else { results.forEach { session.note(BenchTable.row($0)) } }
        if !succeeded || results.isEmpty {
            session.note("PyTorch run failed (\(options.python) needs torch and diffusers; pass --python): "
                         + lines.suffix(2).joined(separator: " | "))
        }
        return results
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

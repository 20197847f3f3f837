#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseBench
import DiffuseCPU

/// `--baseline torch,openvino,onnxruntime`: each baseline's script with the same grid, one after the
/// other, right after Diffuse's grid (same machine load); their JSON lines printed as they are (`--json`)
/// or as table rows, and returned for the comparison.
extension ModelBenchRunner {
    /// The attention kinds the baseline scripts know, from the grid's choices: vanilla → diffusers'
    /// AttnProcessor, every SDPA choice → AttnProcessor2_0 (none has sliced attention).
    static func baselineAttentionKinds(_ grid: BenchGrid) -> [String] {
        var kinds: [String] = []
        for choice in grid.attentions where choice != .sliced {
            let kind = choice == .vanilla ? "vanilla" : "sdpa"
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return kinds
    }

    /// The script's command line: the grid and settings of this run, `--threads` Diffuse's.
    func baselineCommand(_ baseline: BenchBaseline, grid: BenchGrid, settings: ModelBenchmark.Settings, kinds: [String]) -> String {
        var command = "\(options.python) \(baseline.script) \(component.rawValue) --threads \(Parallel.threadCount)"
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
        return command
    }

    /// Runs one baseline's script; a missing script, interpreter or Python module is a note (what to
    /// install), not an error, so the other baselines still run.
    func runBaseline(_ baseline: BenchBaseline, grid: BenchGrid, settings: ModelBenchmark.Settings,
                     session: ModelBenchSession) -> [BenchResult] {
        session.note("")
        guard access(baseline.script, R_OK) == 0 else {
            session.note("\(baseline.title) baseline skipped: \(baseline.script) not found (run from the repository root)")
            return []
        }
        let kinds = Self.baselineAttentionKinds(grid)
        guard !kinds.isEmpty else {
            session.note("\(baseline.title) baseline skipped: it has vanilla and SDPA attention only, not \(grid.attentions.map(\.rawValue))")
            return []
        }
        let command = baselineCommand(baseline, grid: grid, settings: settings, kinds: kinds)
        session.note("\(baseline.title): \(command)")
        var results: [BenchResult] = []
        let (lines, succeeded) = ExternalBaseline.run(command) { line in
            guard line.hasPrefix("{"), let result = try? BenchResult(jsonLine: line) else { return }
            results.append(result)
            if options.json { Swift.print(line) } else { session.note(BenchTable.row(result)) }
            fflush(nil)
        }
        if !succeeded || results.isEmpty {
            session.note(baseline.failureMessage(output: lines, python: options.python))
        }
        return results
    }
}

/// `--baseline torch,openvino,onnxruntime` (and `--compare FILE`): every Diffuse cell beside each
/// baseline's matching cell (`BenchComparison`'s rule) — one pair of columns per baseline, its median
/// seconds and the ratio Diffuse / it — as a table, and as one JSON line per Diffuse cell and baseline
/// (`BenchRatio`) for `--json`.
public struct BaselineComparison: Sendable {
    /// Diffuse's cells, in the order they ran.
    public let diffuse: [BenchResult]
    /// The baselines (`BenchResult.source`; "diffuse" for an earlier Diffuse run given to `--compare`), in
    /// the order their first result came.
    public let sources: [String]
    /// Per source (same order as `sources`): the Diffuse cells matched with that source's cells.
    public let comparisons: [BenchComparison]
    /// Per source: the library and version its results reported ("openvino 2026.4.1"), if any.
    public let versions: [String: String]

    public init(diffuse: [BenchResult], others: [BenchResult]) {
        var sources: [String] = []
        for r in others where !sources.contains(r.source) { sources.append(r.source) }   // "diffuse": an earlier run (--compare)
        self.diffuse = diffuse
        self.sources = sources
        comparisons = sources.map { source in BenchComparison(diffuse: diffuse, other: others.filter { $0.source == source }) }
        var versions: [String: String] = [:]
        for r in others { if let v = r.version, versions[r.source] == nil { versions[r.source] = v } }
        self.versions = versions
    }

    /// The printed table: size, batch, precision, Diffuse's attention and seconds, then per baseline its
    /// seconds (or its status: oom, error; "-" when it has no such cell) and "÷name" = Diffuse / it.
    public var table: [String] {
        let widths = sources.map { (seconds: max(10, $0.count + 2), ratio: max(8, $0.count + 3)) }
        var header = "size".padding(10) + "batch".padding(6, right: true) + "  " + "precision".padding(10)
            + "diffuse".padding(26) + "s/step".padding(10, right: true)
        for (source, w) in zip(sources, widths) {
            header += source.padding(w.seconds, right: true) + ("÷" + source).padding(w.ratio, right: true)
        }
        var lines = [header]
        for (i, d) in diffuse.enumerated() {
            let name = d.attention + (d.compiled ? "+c" : "") + d.variant
            var line = "\(d.width)x\(d.height)".padding(10) + "\(d.batch)".padding(6, right: true) + "  "
                + d.precision.padding(10) + name.padding(26) + Self.seconds(d).padding(10, right: true)
            for (comparison, w) in zip(comparisons, widths) {
                let row = comparison.rows[i]
                line += (row.other.map(Self.seconds) ?? "-").padding(w.seconds, right: true)
                    + (row.timeRatio.map { fmt($0, 2) + "×" } ?? "-").padding(w.ratio, right: true)
            }
            lines.append(line)
        }
        return lines
    }

    /// The line under the table: what the ratio means and which versions were measured.
    public var legend: String {
        let named = sources.map { source in versions[source] ?? source }.joined(separator: ", ")
        return "÷name = Diffuse seconds / the baseline's (median of each; < 1: Diffuse faster). Baselines: \(named)."
    }

    /// `--json`: one line per Diffuse cell and baseline.
    public var ratios: [BenchRatio] {
        zip(sources, comparisons).flatMap { source, comparison in
            comparison.rows.map { BenchRatio(baseline: source, row: $0) }
        }
    }

    static func seconds(_ r: BenchResult) -> String {
        r.status == .ok ? r.secondsPerStep.map { fmt($0, 4) } ?? "-" : r.status.rawValue
    }
}

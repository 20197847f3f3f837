/// `--compare FILE`, `--baseline`: each Diffuse cell beside the other engine's cell with the same arch,
/// component, size, batch, attention kind (vanilla / sliced / sdpa), precision and compilation. An engine
/// with no compiled cells at all (OpenVINO and ONNX Runtime, whose graphs are always compiled ahead of
/// time; or a PyTorch file measured without `--compile`) is compared with Diffuse's compiled cells too.
public struct BenchComparison: Sendable {
    public struct Row: Sendable, Equatable {
        public var diffuse: BenchResult
        public var other: BenchResult?
        /// Diffuse seconds / other seconds (< 1: Diffuse faster); nil unless both are `ok`.
        public var timeRatio: Double?
        /// Diffuse peak RSS / other peak RSS; nil unless both are known.
        public var memoryRatio: Double?
    }

    public let rows: [Row]

    public init(diffuse: [BenchResult], other: [BenchResult]) {
        var byKey: [String: BenchResult] = [:]
        for result in other where byKey[result.matchKey] == nil { byKey[result.matchKey] = result }
        let otherCompiles = other.contains(where: \.compiled)
        rows = diffuse.map { d in
            var eager = d
            eager.compiled = false
            let o = byKey[d.matchKey] ?? (otherCompiles ? nil : byKey[eager.matchKey])
            var time: Double?
            if d.status == .ok, o?.status == .ok, let a = d.secondsPerStep, let b = o?.secondsPerStep, b > 0 { time = a / b }
            var memory: Double?
            if let a = d.peakRSSBytes, let b = o?.peakRSSBytes, b > 0 { memory = Double(a) / Double(b) }
            return Row(diffuse: d, other: o, timeRatio: time, memoryRatio: memory)
        }
    }

    /// The printed table.
    public var table: [String] {
        var lines = ["size".padding(10) + "batch".padding(6, right: true) + "  " + "precision".padding(10)
                     + "diffuse".padding(26) + "s/step".padding(10, right: true) + "  " + "torch".padding(10)
                     + "s/step".padding(10, right: true) + "diffuse/torch".padding(15, right: true)
                     + "RSS ratio".padding(11, right: true)]
        for row in rows {
            let d = row.diffuse
            let name = d.attention + (d.compiled ? "+c" : "") + d.variant
            let mine = d.status == .ok ? d.secondsPerStep.map { fmt($0, 4) } ?? "-" : d.status.rawValue
            let theirs = row.other.map { o in o.status == .ok ? o.secondsPerStep.map { fmt($0, 4) } ?? "-" : o.status.rawValue } ?? "-"
            lines.append("\(d.width)x\(d.height)".padding(10) + "\(d.batch)".padding(6, right: true) + "  "
                         + d.precision.padding(10) + name.padding(26) + mine.padding(10, right: true) + "  "
                         + (row.other?.attention ?? "none").padding(10) + theirs.padding(10, right: true)
                         + (row.timeRatio.map { fmt($0, 2) + "×" } ?? "-").padding(15, right: true)
                         + (row.memoryRatio.map { fmt($0, 2) + "×" } ?? "-").padding(11, right: true))
        }
        return lines
    }
}

/// The study's figure: grouped bars of speed-up over vanilla attention, one group per batch size, one
/// bar per series (attention choice, plus precision / size / source when the results have several),
/// with the machine and date in the caption. Drawn as SVG (`SpeedupChart+SVG.swift`) and PNG
/// (`SpeedupChart+PNG.swift`) from the same layout.
public struct SpeedupChart: Sendable {
    public struct Bar: Sendable, Equatable {
        public var series: Int
        public var batch: Int
        /// nil: the cell has no speed-up (out of memory, error, or vanilla out of memory).
        public var speedup: Double?
        /// "OOM" / "ERR" printed in place of a missing bar.
        public var label: String?
    }

    public let title: String
    public let caption: String
    public let series: [String]
    public let batches: [Int]
    public let bars: [Bar]

    /// Bars from results (all of one component). `caption`: e.g. "AMD EPYC 9R14, 2 threads, 2026-11-26".
    public init(results: [BenchResult], title: String, caption: String) {
        self.title = title
        self.caption = caption
        let varying = (precision: Set(results.map(\.precision)).count > 1,
                       size: Set(results.map { "\($0.width)x\($0.height)" }).count > 1,
                       source: Set(results.map(\.source)).count > 1)
        func name(_ r: BenchResult) -> String {
            var parts = [r.attention + (r.compiled ? "+compile" : "")]
            if varying.source { parts.insert(r.source, at: 0) }
            if varying.precision { parts.append(r.precision) }
            if varying.size { parts.append("\(r.width)x\(r.height)") }
            return parts.joined(separator: " ")
        }
        var names: [String] = []
        for r in results where !names.contains(name(r)) { names.append(name(r)) }
        series = names
        batches = Array(Set(results.map(\.batch))).sorted()
        bars = results.map { r in
            Bar(series: names.firstIndex(of: name(r))!, batch: r.batch, speedup: r.speedupVsVanilla,
                label: r.status == .ok ? (r.speedupVsVanilla == nil ? "n/a" : nil) : r.status.rawValue.uppercased())
        }
    }

    /// The largest speed-up, rounded up to a step of 0.5 (the y axis' top), at least 1.5.
    public var axisTop: Double {
        let top = bars.compactMap(\.speedup).max() ?? 1
        return max(1.5, (top * 2).rounded(.up) / 2)
    }

    /// Plot geometry shared by both renderers (pixels; origin top-left).
    struct Layout {
        let width = 900, height = 520
        let left = 70, right = 20, top = 50, bottom = 110
        var plotWidth: Int { width - left - right }
        var plotHeight: Int { height - top - bottom }
        var baseline: Int { top + plotHeight }
    }

    /// Rectangles of the bars: x, y (top), width, height, series — heights proportional to the speed-up.
    func barRects(_ layout: Layout) -> [(x: Int, y: Int, width: Int, height: Int, bar: Bar)] {
        guard !batches.isEmpty, !series.isEmpty else { return [] }
        let groupWidth = layout.plotWidth / batches.count
        let barWidth = max(2, (groupWidth * 8 / 10) / series.count)
        return bars.map { bar in
            let group = batches.firstIndex(of: bar.batch)!
            let x = layout.left + group * groupWidth + groupWidth / 10 + bar.series * barWidth
            let h = Int(((bar.speedup ?? 0) / axisTop * Double(layout.plotHeight)).rounded())
            return (x, layout.baseline - h, barWidth - 1, h, bar)
        }
    }

    /// Series colours (RGB), a colour-blind-safe palette (Okabe–Ito).
    static let palette: [(UInt8, UInt8, UInt8)] = [
        (0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (213, 94, 0),
        (240, 228, 66), (0, 0, 0),
    ]
    static func colour(_ series: Int) -> (UInt8, UInt8, UInt8) { palette[series % palette.count] }
}

import DiffuseBench
import DiffuseImage
import DiffuseNN
import DiffusePipeline
import Testing

/// The chart: well-formed SVG, bar heights proportional to the speed-ups, a PNG that decodes.
struct SpeedupChartTests {
    static var results: [BenchResult] {
        var rows: [BenchResult] = []
        for (batch, speedups) in [(1, [1.0, 2.0, 1.5]), (2, [1.0, 3.0, 2.0])] {
            for (choice, s) in zip([AttentionChoice.vanilla, .flash, .memoryEfficient], speedups) {
                var r = BenchResultTests.result(choice, batch: batch, seconds: 1 / s)
                r.speedupVsVanilla = s
                rows.append(r)
            }
        }
        rows.append(BenchResultTests.result(.vanilla, batch: 4, seconds: nil, status: .oom))
        var flash = BenchResultTests.result(.flash, batch: 4, seconds: 1)
        flash.speedupVsVanilla = nil
        rows.append(flash)
        return rows
    }

    static var chart: SpeedupChart { SpeedupChart(results: results, title: "sd15 unet <512²>", caption: "Test CPU & co, 2026-01-01") }

    @Test func svgIsWellFormedWithProportionalBars() throws {
        let svg = Self.chart.svg
        #expect(try Self.checkWellFormed(svg))
        #expect(svg.contains("Test CPU &amp; co, 2026-01-01"))
        #expect(svg.contains("&lt;512²&gt;"))
        #expect(svg.contains(">OOM</text>"))
        // Bars in input order (vanilla, flash, memory-efficient at batch 1 and 2): height ∝ speed-up,
        // within the 1 px of rounding to whole pixels.
        let heights = svg.split(separator: "\n").filter { $0.contains("class=\"bar\"") }.map { line -> Double in
            let after = line.split(separator: "height=\"")[1]
            return Double(after.prefix { $0 != "\"" })!
        }
        let speedups = [1.0, 2.0, 1.5, 1.0, 3.0, 2.0]
        #expect(heights.count == speedups.count)
        let pxPerUnit = heights[0] / speedups[0]
        for (h, s) in zip(heights, speedups) { #expect(abs(h - s * pxPerUnit) <= 1) }
        #expect(Self.chart.axisTop == 3)
        #expect(Self.chart.series == ["vanilla", "flash", "memory-efficient"])
    }

    @Test func pngDecodesWithBarsInSeriesColours() throws {
        let image = Self.chart.image
        let decoded = try RGBImage(data: try image.pngData(), source: "chart")
        #expect(decoded == image)
        #expect(image.width == 900 && image.height == 520)
        // The tallest bar (flash, batch 2; second series: orange 230,159,0) reaches the top tick
        // (3.0×): a pixel just below the axis top inside it has that colour.
        let colours = Set(stride(from: 0, to: image.pixels.count, by: 3).map {
            [image.pixels[$0], image.pixels[$0 + 1], image.pixels[$0 + 2]]
        })
        #expect(colours.contains([230, 159, 0]))
        #expect(colours.contains([0, 114, 178]))
        #expect(colours.contains([0, 0, 0]))                          // text and axes
    }

    /// Minimal XML well-formedness: every tag closes in order, attributes quoted, no raw `&` or `<` in text.
    static func checkWellFormed(_ xml: String) throws -> Bool {
        var stack: [String] = []
        var rest = Substring(xml)
        while let open = rest.firstIndex(of: "<") {
            let text = rest[..<open]
            if text.contains("&") && !text.split(separator: "&").dropFirst().allSatisfy({ $0.contains(";") }) { return false }
            guard let close = rest[open...].firstIndex(of: ">") else { return false }
            let tag = rest[rest.index(after: open)..<close]
            if tag.hasPrefix("/") {
                guard stack.popLast() == String(tag.dropFirst()) else { return false }
            } else if !tag.hasSuffix("/") {
                stack.append(String(tag.prefix { $0 != " " }))
            }
            if tag.filter({ $0 == "\"" }).count % 2 != 0 { return false }
            rest = rest[rest.index(after: close)...]
        }
        return stack.isEmpty
    }
}

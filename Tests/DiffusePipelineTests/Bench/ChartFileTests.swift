import DiffuseBench
import Foundation
import Testing

/// `diffuse bench chart`'s pieces: the caption a `--json` run printed, and writing SVG / PNG by extension.
struct ChartFileTests {
    @Test func captionIsTheMachineAndDateOfTheFirstNote() {
        let lines = """
            {"note":"AMD EPYC, 2 threads, 2026-11-26 · limit 16.00 GiB · unet, warm-up 0, median of 1"}
            {"note":"built sd15 unet (f32) in 8.1 s, weights 3.20 GiB"}
            """
        #expect(ChartFile.caption(inJSONLines: lines) == "AMD EPYC, 2 threads, 2026-11-26")
        #expect(ChartFile.caption(inJSONLines: "{\"source\":\"torch\"}") == nil)
    }

    @Test func writesByExtensionAndRefusesOthers() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/diffuse-chart-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let chart = SpeedupChartTests.chart
        try ChartFile.write(chart, to: directory + "/c.svg")
        try ChartFile.write(chart, to: directory + "/c.png")
        let svg = try #require(FileManager.default.contents(atPath: directory + "/c.svg"))
        #expect(String(decoding: svg, as: UTF8.self) == chart.svg)
        let png = try #require(FileManager.default.contents(atPath: directory + "/c.png"))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(throws: BenchError.self) { try ChartFile.write(chart, to: directory + "/c.jpg") }
    }
}

import DiffuseBench
import DiffuseNN
import DiffusePipeline
import Testing

/// JSON lines, the PyTorch comparison and the chart.
struct BenchResultTests {
    static func result(_ attention: AttentionChoice, batch: Int, seconds: Double?, status: BenchResult.Status = .ok,
                       source: String = "diffuse", name: String? = nil) -> BenchResult {
        let cell = BenchCell(arch: "sd15", component: .unet, width: 512, height: 512, batch: batch,
                             attention: attention, precision: .f32)
        var r = BenchResult(source: source, cell: cell, attention: name, threads: 2, status: status)
        r.secondsPerStep = seconds
        r.peakRSSBytes = seconds == nil ? nil : 4_000_000_000
        return r
    }

    @Test func jsonLinesCarryEveryFieldAndRoundTrip() throws {
        var r = Self.result(.flash, batch: 2, seconds: 1.25)
        r.speedupVsVanilla = 2
        r.reason = "a \"quoted\" reason"
        let line = r.jsonLine
        for field in ["arch", "width", "height", "batch", "attention", "precision", "compiled", "seconds_per_step",
                      "peak_rss_bytes", "status"] {
            #expect(line.contains("\"\(field)\":"), "missing \(field)")
        }
        #expect(!line.contains("\n"))
        #expect(try BenchResult(jsonLine: line) == r)
        let oom = Self.result(.vanilla, batch: 8, seconds: nil, status: .oom)
        #expect(oom.jsonLine.contains("\"seconds_per_step\":null"))
        #expect(oom.jsonLine.contains("\"status\":\"oom\""))
    }

    /// The PyTorch script's lines (json.dumps: spaces, floats in full) parse as results.
    @Test func torchScriptLinesParse() throws {
        let line = #"{"source": "torch", "arch": "sd15", "component": "unet", "width": 512, "height": 512, "batch": 1, "attention": "sdpa", "precision": "bf16", "compiled": true, "threads": 2, "status": "error", "reason": "RuntimeError: no compiler", "seconds_per_step": null, "images_per_second": null, "peak_rss_bytes": null, "peak_tensor_bytes": null, "predicted_bytes": 123, "speedup_vs_vanilla": null, "extra": 1}"#
        let r = try BenchResult(jsonLine: line)
        #expect(r.source == "torch" && r.attentionKind == "sdpa" && r.compiled && r.status == .error)
        #expect(r.reason == "RuntimeError: no compiler")
    }

    /// Ratio = Diffuse seconds / PyTorch seconds, matched by attention kind (flash and
    /// memory-efficient both against PyTorch's SDPA); none when either side did not run.
    @Test func compareMatchesCellsAndDividesTimes() {
        let mine = [Self.result(.vanilla, batch: 1, seconds: 3), Self.result(.flash, batch: 1, seconds: 2),
                    Self.result(.memoryEfficient, batch: 1, seconds: 1), Self.result(.vanilla, batch: 8, seconds: nil, status: .oom),
                    Self.result(.flash, batch: 4, seconds: 5)]
        let theirs = [Self.result(.vanilla, batch: 1, seconds: 6, source: "torch", name: "vanilla"),
                      Self.result(.auto, batch: 1, seconds: 4, source: "torch", name: "sdpa"),
                      Self.result(.vanilla, batch: 8, seconds: 9, source: "torch", name: "vanilla")]
        let rows = BenchComparison(diffuse: mine, other: theirs).rows
        #expect(rows.map(\.timeRatio) == [0.5, 0.5, 0.25, nil, nil])
        #expect(rows[1].other?.attention == "sdpa")
        #expect(rows[4].other == nil)
        #expect(rows[0].memoryRatio == 1)
        #expect(BenchComparison(diffuse: mine, other: theirs).table.count == 1 + mine.count)
    }
}

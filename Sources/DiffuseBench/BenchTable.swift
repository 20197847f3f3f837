/// The readable table of `diffuse bench <component>` (without `--json`), one row per cell as it is measured.
public enum BenchTable {
    public static var header: String {
        "size".padding(10) + "batch".padding(6, right: true) + "  " + "precision".padding(10) + "attention".padding(26)
            + "status".padding(7) + "s/step".padding(10, right: true) + "img/s".padding(9, right: true)
            + "speed-up".padding(10, right: true) + "peak RSS".padding(12, right: true)
            + "tensors".padding(12, right: true) + "predicted".padding(12, right: true)
    }

    public static func row(_ r: BenchResult) -> String {
        let name = (r.source == "diffuse" ? "" : r.source + " ") + r.attention + (r.compiled ? " +compile" : "") + r.variant
        var line = "\(r.width)x\(r.height)".padding(10) + "\(r.batch)".padding(6, right: true) + "  "
            + r.precision.padding(10) + name.padding(26) + r.status.rawValue.padding(7)
            + (r.secondsPerStep.map { fmt($0, 4) } ?? "-").padding(10, right: true)
            + (r.imagesPerSecond.map { fmt($0, 3) } ?? "-").padding(9, right: true)
            + (r.speedupVsVanilla.map { fmt($0, 2) + "×" } ?? "-").padding(10, right: true)
            + (r.peakRSSBytes.map(formatBytes) ?? "-").padding(12, right: true)
            + (r.peakTensorBytes.map(formatBytes) ?? "-").padding(12, right: true)
            + (r.predictedBytes.map(formatBytes) ?? "-").padding(12, right: true)
        if let seconds = r.compileSeconds { line += "  compile " + fmt(seconds, 1) + " s" }
        if let reason = r.reason { line += "  " + reason }
        return line
    }
}

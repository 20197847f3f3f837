#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Writing a `SpeedupChart` to `FILE.svg` or `FILE.png`, for `diffuse bench <component> --chart` and
/// `diffuse bench chart` (charts drawn later from saved `--json` results).
public enum ChartFile {
    /// Writes `chart` as SVG or PNG, chosen by the path's extension; throws a one-line error otherwise.
    public static func write(_ chart: SpeedupChart, to path: String) throws {
        if path.hasSuffix(".png") {
            try chart.image.writePNG(to: path)
        } else if path.hasSuffix(".svg") {
            guard FileManager.default.createFile(atPath: path, contents: Data(chart.svg.utf8)) else {
                throw BenchError("cannot write \(path)")
            }
        } else {
            throw BenchError("\(path): a chart file name must end in .svg or .png")
        }
    }

    /// The machine-and-date caption a `--json` run printed first (`{"note":"AMD EPYC, 2 threads,
    /// 2026-11-26 · limit …"}` → "AMD EPYC, 2 threads, 2026-11-26"), or nil.
    public static func caption(inJSONLines text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix("{\"note\":") {
            guard let note = try? JSONLine.decode(BenchNote.self, from: line).note,
                  let cut = note.firstRange(of: " · ") else { continue }
            return String(note[..<cut.lowerBound])
        }
        return nil
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--json`: one flat object per line, every field present (null when unknown), in a fixed order.
extension BenchResult {
    /// The JSON line (no trailing newline).
    public var jsonLine: String {
        func number(_ v: Double?, _ decimals: Int) -> String { v.map { fmt($0, decimals) } ?? "null" }
        func integer(_ v: Int?) -> String { v.map(String.init) ?? "null" }
        let fields: [(CodingKeys, String)] = [
            (.source, jsonString(source)), (.arch, jsonString(arch)), (.component, jsonString(component)),
            (.width, "\(width)"), (.height, "\(height)"), (.batch, "\(batch)"), (.attention, jsonString(attention)),
            (.precision, jsonString(precision)), (.compiled, compiled ? "true" : "false"), (.threads, "\(threads)"),
            (.status, jsonString(status.rawValue)), (.reason, reason.map(jsonString) ?? "null"),
            (.secondsPerStep, number(secondsPerStep, 6)), (.imagesPerSecond, number(imagesPerSecond, 4)),
            (.peakRSSBytes, integer(peakRSSBytes)), (.peakTensorBytes, integer(peakTensorBytes)),
            (.predictedBytes, integer(predictedBytes)), (.speedupVsVanilla, number(speedupVsVanilla, 3)),
            (.compileSeconds, number(compileSeconds, 3)),
        ]
        return "{" + fields.map { "\"\($0.0.rawValue)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// Parses one line of `--json` output (Diffuse's or the PyTorch script's). Fields beyond those of
    /// `BenchResult` are ignored; `reason`, sizes and measurements may be absent or null.
    public init(jsonLine line: String) throws {
        self = try JSONDecoder().decode(BenchResult.self, from: Data(line.utf8))
    }

    /// Every result line of a JSON-lines file (lines that are not result objects, e.g. notes, skipped).
    /// Throws a one-line error naming the file when it cannot be read or holds no results.
    public static func load(path: String) throws -> [BenchResult] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchError("cannot read \(path); pass a file written by --json (Diffuse or Scripts/bench_torch_models.py)")
        }
        let results = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            line.hasPrefix("{") && line.contains("\"status\"") ? try? BenchResult(jsonLine: String(line)) : nil
        }
        guard !results.isEmpty else {
            throw BenchError("\(path) holds no benchmark results (expected JSON lines from --json)")
        }
        return results
    }
}

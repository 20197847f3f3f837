#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--json`: one flat object per line, every field present (null when unknown), keys sorted — the same
/// `BenchResult` the table (`BenchTable`) and `--compare` (`BenchComparison`) use, through Codable.
extension BenchResult {
    /// The JSON line (no trailing newline). Seconds keep 6 decimals, images/s 4, ratios 3.
    public var jsonLine: String { JSONLine.encode(self) }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(source, forKey: .source)
        try c.encode(arch, forKey: .arch)
        try c.encode(component, forKey: .component)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(batch, forKey: .batch)
        try c.encode(attention, forKey: .attention)
        try c.encode(precision, forKey: .precision)
        try c.encode(compiled, forKey: .compiled)
        try c.encode(threads, forKey: .threads)
        try c.encode(status, forKey: .status)
        try c.encode(reason, forKey: .reason)                     // Optional: null when nil
        try c.encode(JSONLine.rounded(secondsPerStep, 6), forKey: .secondsPerStep)
        try c.encode(JSONLine.rounded(imagesPerSecond, 4), forKey: .imagesPerSecond)
        try c.encode(peakRSSBytes, forKey: .peakRSSBytes)
        try c.encode(peakTensorBytes, forKey: .peakTensorBytes)
        try c.encode(predictedBytes, forKey: .predictedBytes)
        try c.encode(JSONLine.rounded(speedupVsVanilla, 3), forKey: .speedupVsVanilla)
        try c.encode(JSONLine.rounded(compileSeconds, 3), forKey: .compileSeconds)
        try c.encodeIfPresent(version, forKey: .version)         // baselines only: Diffuse's lines stay as they were
    }

    /// Parses one line of `--json` output (Diffuse's or the PyTorch script's). Fields beyond those of
    /// `BenchResult` are ignored; `reason`, sizes and measurements may be absent or null.
    public init(jsonLine line: String) throws {
        self = try JSONLine.decode(BenchResult.self, from: line)
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

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--json` of every `diffuse bench` command: one object per line, written and read through Codable
/// (keys sorted, so the order is fixed; `/` unescaped). Rows choose their own field names with
/// `CodingKeys` (snake_case, as the Python baselines in Scripts/ write them) and round their numbers
/// with `JSONLine.rounded` so lines stay short.
public enum JSONLine {
    /// The JSON text of `value`, one line.
    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain rows of strings and numbers cannot fail; non-finite numbers are written as null.
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Decodes one line; fields the type does not name are ignored.
    public static func decode<T: Decodable>(_ type: T.Type, from line: some StringProtocol) throws -> T {
        try JSONDecoder().decode(type, from: Data(line.utf8))
    }

    /// `value` rounded to `decimals` places; nil for NaN and infinities (JSON has no such numbers).
    public static func rounded(_ value: Double?, _ decimals: Int) -> Double? {
        guard let value, value.isFinite else { return nil }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded()
        return abs(scaled) < 9e15 ? scaled / scale : value
    }
}

/// A remark between rows (`{"note": …}`): the machine and date a run starts with, a chart written, …
public struct BenchNote: Codable, Sendable {
    public var note: String
    public init(_ note: String) { self.note = note }
}

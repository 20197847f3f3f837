#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SchedulerConfig {
    /// Decodes `scheduler_config.json` bytes. Python's non-standard `Infinity`, `-Infinity` and `NaN`
    /// tokens (written by `json.dump` for e.g. `lambda_min_clipped`) are accepted.
    /// Throws `DecodingError` (the pipeline turns it into a `ConfigError` naming the file and key).
    public init(jsonData: Data, file: String = "scheduler/scheduler_config.json") throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        self = try decoder.decode(Self.self, from: Self.quotingNonFiniteNumbers(jsonData))
        sourceFile = file
    }

    /// Rewrites bare `Infinity` / `-Infinity` / `NaN` tokens outside strings as quoted strings.
    static func quotingNonFiniteNumbers(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        guard bytes.contains(UInt8(ascii: "I")) || bytes.contains(UInt8(ascii: "N")) else { return data }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var inString = false, escaped = false
        var i = 0
        let tokens: [[UInt8]] = [Array("-Infinity".utf8), Array("Infinity".utf8), Array("NaN".utf8)]
        outer: while i < bytes.count {
            let b = bytes[i]
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
                out.append(b); i += 1; continue
            }
            if b == UInt8(ascii: "\"") { inString = true; out.append(b); i += 1; continue }
            for token in tokens where bytes[i...].starts(with: token) {
                out.append(UInt8(ascii: "\"")); out.append(contentsOf: token); out.append(UInt8(ascii: "\""))
                i += token.count
                continue outer
            }
            out.append(b); i += 1
        }
        return Data(out)
    }
}

extension KeyedDecodingContainer {
    /// The value for `key`, or `defaultValue` when the key is missing or null.
    func decode<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue
    }

    /// Missing key → `defaultValue`; explicit `null` → nil.
    func decodeNullable<T: Decodable>(_ key: Key, default defaultValue: T?) throws -> T? {
        guard contains(key) else { return defaultValue }
        if try decodeNil(forKey: key) { return nil }
        return try decode(T.self, forKey: key)
    }
}

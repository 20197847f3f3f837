#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A config decoded from one JSON file (`unet/config.json`, `tokenizer/tokenizer_config.json`, …).
///
/// Conforming types get loaders that turn every decoding failure into a `ConfigError` naming the file
/// and the key, and remember the file so later checks (`validateSupported()`) can name it too.
public protocol ConfigFile: Decodable, Sendable {
    /// Where this config was read from; used in error messages. Not part of the JSON.
    var sourceFile: String { get set }
}

extension ConfigFile {
    /// Decodes the config from JSON bytes. `file` is only used to name the source in errors.
    public init(jsonData: Data, file: String = "config.json") throws {
        do {
            self = try JSONDecoder().decode(Self.self, from: jsonData)
        } catch let error as DecodingError {
            throw ConfigError(decoding: error, file: file)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(.invalidJSON, file: file, message: "\(error)")
        }
        sourceFile = file
    }

    /// Reads and decodes the config file at `path`.
    public init(contentsOfFile path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(.unreadable, file: path, message: "cannot read the file (\(error)); check that it exists and is readable")
        }
        try self.init(jsonData: data, file: path)
    }
}

/// A config in which every key has a default (all component configs; not `model_index.json`).
public protocol DefaultedConfigFile: ConfigFile {}

extension DefaultedConfigFile {
    /// A config with every value at the library's default (diffusers' or transformers'), obtained by
    /// decoding an empty object, so the defaults live in one place: the type's `init(from:)`.
    public init() {
        self = try! JSONDecoder().decode(Self.self, from: Data("{}".utf8))
    }
}

/// Renders a config value for an error message the way it appears in JSON.
func jsonText(_ value: Any?) -> String {
    switch value {
    case nil: return "null"
    case let s as String: return "\"\(s)\""
    case let b as Bool: return b ? "true" : "false"
    case let list as [Any?]: return "[" + list.map(jsonText).joined(separator: ", ") + "]"
    case let v?: return "\(v)"
    }
}

extension KeyedDecodingContainer {
    /// The value for `key`, or `defaultValue` when the key is missing or null.
    func decode<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue
    }

    /// For optional settings whose default is not nil: a missing key gives `defaultValue`,
    /// an explicit `null` gives nil (diffusers passes `None` through).
    func decodeNullable<T: Decodable>(_ key: Key, default defaultValue: T?) throws -> T? {
        guard contains(key) else { return defaultValue }
        if try decodeNil(forKey: key) { return nil }
        return try decode(T.self, forKey: key)
    }
}

/// Encodes every stored property of `value` that has a coding key, writing nil as `null` (as diffusers'
/// `save_config` does) so that explicit nulls such as `"mid_block_type": null` survive a round trip.
/// A property `midBlockType` is matched to the key `mid_block_type` (or `_mid_block_type` for metadata
/// such as `className` → `_class_name`); properties without a key (`sourceFile`) are skipped. The tests
/// check that every key of each config is written.
func encodeAllProperties<K: CodingKey & CaseIterable>(_ value: Any, keys: K.Type, to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: K.self)
    let byJSONName = Dictionary(uniqueKeysWithValues: K.allCases.map { ($0.stringValue, $0) })
    for child in Mirror(reflecting: value).children {
        guard let label = child.label, let property = child.value as? any Encodable else { continue }
        let snake = snakeCase(label)
        guard let key = byJSONName[snake] ?? byJSONName["_" + snake] else { continue }
        try container.encode(property, forKey: key)
    }
}

/// `midBlockType` → `mid_block_type`.
func snakeCase(_ name: String) -> String {
    var out = ""
    for ch in name {
        if ch.isUppercase {
            out += "_" + ch.lowercased()
        } else {
            out.append(ch)
        }
    }
    return out
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An error in a model's configuration file: unreadable, not JSON, a missing required key, a value of
/// the wrong type, or a value Diffuse does not support.
///
/// The description names the file, the key, the offending value and what is accepted, e.g.
///
///     unet/config.json: "addition_embed_type" = "text_image": not supported by Diffuse; only "text_time"
///     (SDXL's added text/time embeddings) or null (SD 1.x / 2.x) is implemented
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The file could not be read.
        case unreadable
        /// The file is not valid JSON (or its top level is not an object).
        case invalidJSON
        /// A key that has no default is missing.
        case missingKey
        /// A key is present but its value has the wrong type or shape.
        case invalidValue
        /// The value is valid for diffusers but Diffuse does not implement it.
        case unsupported
    }

    public var kind: Kind
    /// The file the config came from (as given to the loader), e.g. `/models/sd15/unet/config.json`.
    public var file: String
    /// The JSON key (dotted path for nested keys), if the error concerns one key.
    public var key: String?
    /// The offending value rendered as JSON-ish text, if any.
    public var value: String?
    /// What went wrong and what is accepted / what to do.
    public var message: String

    public init(_ kind: Kind, file: String, key: String? = nil, value: String? = nil, message: String) {
        self.kind = kind
        self.file = file
        self.key = key
        self.value = value
        self.message = message
    }

    public var description: String {
        var s = "\(file): "
        switch (key, value) {
        case let (key?, value?): s += "\"\(key)\" = \(value): "
        case let (key?, nil): s += "\"\(key)\": "
        default: break
        }
        return s + message
    }
}

extension ConfigError {
    /// Converts a `DecodingError` thrown while decoding `file` into a `ConfigError` naming the key.
    public init(decoding error: DecodingError, file: String) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String? {
            let keys = (codingPath + (last.map { [$0] } ?? [])).map { key in
                key.intValue.map { "[\($0)]" } ?? key.stringValue
            }
            guard !keys.isEmpty else { return nil }
            return keys.dropFirst().reduce(keys[0]) { $1.hasPrefix("[") ? $0 + $1 : $0 + "." + $1 }
        }
        switch error {
        case let .keyNotFound(key, context):
            self.init(.missingKey, file: file, key: path(context.codingPath, key),
                      message: "required key is missing; add it to the config (see the diffusers/transformers config of this model)")
        case let .typeMismatch(type, context):
            self.init(.invalidValue, file: file, key: path(context.codingPath),
                      message: "wrong type, expected \(ConfigError.describe(type))" + ConfigError.detail(context))
        case let .valueNotFound(type, context):
            self.init(.invalidValue, file: file, key: path(context.codingPath), value: "null",
                      message: "null is not allowed here, expected \(ConfigError.describe(type))" + ConfigError.detail(context))
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty {
                self.init(.invalidJSON, file: file,
                          message: "not a valid JSON object" + ConfigError.detail(context))
            } else {
                self.init(.invalidValue, file: file, key: path(context.codingPath),
                          message: context.debugDescription)
            }
        @unknown default:
            self.init(.invalidJSON, file: file, message: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        let name = String(describing: type)
        switch name {
        case "Int": return "an integer"
        case "Double", "Float": return "a number"
        case "String": return "a string"
        case "Bool": return "true or false"
        default:
            if name.hasPrefix("Array") { return "a list" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return name
        }
    }

    private static func detail(_ context: DecodingError.Context) -> String {
        context.debugDescription.isEmpty ? "" : " (\(context.debugDescription))"
    }
}

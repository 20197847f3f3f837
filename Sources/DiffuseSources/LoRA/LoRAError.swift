/// Why a LoRA file cannot be applied; the description is one line naming the file and what is wrong.
public struct LoRAError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// No such file, a pickle file, or not a readable `.safetensors` file.
        case unreadable
        /// No key of the file is a LoRA key Diffuse knows (kohya / A1111, diffusers / PEFT, attention processor).
        case notLoRA
        /// A LoRA variant Diffuse does not merge (DoRA, LoHa / LoKr, Tucker `lora_mid`, …).
        case unsupported
        /// None of the file's layers matches a weight of the model, or a layer's shape does not fit its weight.
        case mismatch
        /// A scale that is not a finite number.
        case invalidScale
    }

    public var kind: Kind
    public var path: String
    public var message: String

    public init(_ kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// "k1, k2, k3 and 7 more" — a few keys for a message.
    public static func sample(_ keys: [String], count: Int = 3) -> String {
        let shown = keys.prefix(count).joined(separator: ", ")
        return keys.count > count ? "\(shown) and \(keys.count - count) more" : shown
    }
}

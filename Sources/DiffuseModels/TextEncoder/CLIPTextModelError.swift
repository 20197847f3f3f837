/// Input the CLIP text encoder cannot run on. Each message names the offending value and what is accepted.
public struct CLIPTextModelError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// Token ids of the wrong dtype, rank or length, or outside the vocabulary.
        case invalidInputIds
        /// A clip skip outside 0...num_hidden_layers.
        case invalidClipSkip
        /// A text-encoder folder without its safetensors weights.
        case missingWeights
        /// Projected text embeddings asked of a model without `text_projection`.
        case noProjection
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "CLIP text encoder: \(message)" }
}

/// One piece of a parsed A1111 prompt: text and its attention weight (A1111's `[text, weight]` pairs of
/// `parse_prompt_attention`, modules/prompt_parser.py). A `BREAK` is the piece `("BREAK", -1)`.
public struct WeightedText: Sendable, Equatable, CustomStringConvertible {
    public var text: String
    public var weight: Double

    public init(_ text: String, _ weight: Double) {
        self.text = text
        self.weight = weight
    }

    /// The break marker as A1111 writes it: starts a new 75-token chunk.
    public static let breakMarker = WeightedText("BREAK", -1)

    /// Whether this piece is a `BREAK` (A1111 tests `text == 'BREAK' and weight == -1`: a BREAK inside
    /// brackets gets its weight multiplied and is then tokenized as the word, as in A1111).
    public var isBreak: Bool { self == Self.breakMarker }

    public var description: String { "[\"\(text)\", \(weight)]" }
}

/// A special token in `tokenizer_config.json`: transformers writes either the bare string
/// (`"pad_token": "!"`, transformers 5) or an `AddedToken` object
/// (`{"__type": "AddedToken", "content": "<|endoftext|>", "lstrip": false, …}`, older versions).
/// Mirrors `tokenizers.AddedToken`.
public struct AddedToken: Codable, Sendable, Equatable, ExpressibleByStringLiteral {
    public var content: String
    public var lstrip: Bool
    public var rstrip: Bool
    public var normalized: Bool
    public var singleWord: Bool
    public var special: Bool?

    enum CodingKeys: String, CodingKey {
        case content, lstrip, rstrip, normalized, special
        case singleWord = "single_word"
    }

    public init(_ content: String, lstrip: Bool = false, rstrip: Bool = false, normalized: Bool = true,
                singleWord: Bool = false, special: Bool? = nil) {
        self.content = content
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.singleWord = singleWord
        self.special = special
    }

    public init(stringLiteral value: String) { self.init(value) }

    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(text)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c.decode(String.self, forKey: .content),
                  lstrip: try c.decode(.lstrip, default: false),
                  rstrip: try c.decode(.rstrip, default: false),
                  normalized: try c.decode(.normalized, default: true),
                  singleWord: try c.decode(.singleWord, default: false),
                  special: try c.decodeIfPresent(Bool.self, forKey: .special))
    }
}

/// A token matched as a whole before normalization and BPE: the special tokens (`<|startoftext|>`,
/// `<|endoftext|>`, SD 2's pad token `!`) and any `added_tokens` of the folder. Mirrors
/// `tokenizers`' `AddedVocabulary`.
public struct CLIPAddedToken: Sendable, Equatable {
    public var content: String
    public var id: Int
    /// Dropped by `decode(_:skipSpecialTokens: true)`.
    public var special: Bool
    /// Matched in the normalized (NFC, lower-cased) text rather than in the raw text: `<|ENDOFTEXT|>`
    /// matches a normalized `<|endoftext|>` but not a raw one. transformers 5 makes special tokens given
    /// as bare strings in `tokenizer_config.json` raw (`normalized=False`), `AddedToken` objects keep
    /// their flag, and `added_tokens_decoder` entries override both.
    public var normalized: Bool

    public init(content: String, id: Int, special: Bool = true, normalized: Bool = false) {
        self.content = content
        self.id = id
        self.special = special
        self.normalized = normalized
    }
}

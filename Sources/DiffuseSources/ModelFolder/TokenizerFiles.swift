/// The vocabulary files of a CLIP tokenizer folder. Older saves (SD 1.5 / 2.1) have `vocab.json` +
/// `merges.txt`; transformers 5 writes only `tokenizer.json` (which contains both). At least one form
/// is present; paths are absolute.
public struct TokenizerFiles: Sendable, Equatable {
    public var vocab: String?
    public var merges: String?
    public var tokenizerJSON: String?

    public init(vocab: String? = nil, merges: String? = nil, tokenizerJSON: String? = nil) {
        self.vocab = vocab
        self.merges = merges
        self.tokenizerJSON = tokenizerJSON
    }

    /// True when `vocab.json` and `merges.txt` are both present.
    public var hasVocabAndMerges: Bool { vocab != nil && merges != nil }
}

/// A tokenizer folder that cannot be loaded: a missing or unreadable file, a malformed `vocab.json`,
/// `merges.txt` or `tokenizer.json`, or special tokens that are not in the vocabulary.
///
/// The description names the file, what is wrong and what to do, e.g.
///
///     /models/sd15/tokenizer/merges.txt: line 17: "abc" is not two tokens separated by one space
///     (e.g. "i n"); re-download merges.txt from the model repository
public struct TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The folder has neither `vocab.json` + `merges.txt` nor `tokenizer.json`.
        case missingFiles
        /// A file exists but cannot be read.
        case unreadable
        /// `vocab.json` (or `model.vocab` in `tokenizer.json`) is not an object of token → integer id.
        case malformedVocabulary
        /// `merges.txt` (or `model.merges`) has a line that is not two tokens, or names tokens that are
        /// not in the vocabulary.
        case malformedMerges
        /// `tokenizer.json` is not JSON or not a BPE model as transformers writes it.
        case malformedTokenizerJSON
        /// A special token (bos / eos / unk / pad) is not in the vocabulary.
        case unknownSpecialToken
        /// `tokenizer_config.json` cannot be read or decoded, or asks for something Diffuse does not do.
        case invalidConfig
    }

    public var kind: Kind
    /// The file concerned (or the folder, for `missingFiles`).
    public var file: String
    /// What went wrong and what to do.
    public var message: String

    public init(_ kind: Kind, file: String, message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// A problem with the layout of a diffusers model folder: something missing, or weights in a format
/// Diffuse does not read. The description names the path and says what to do.
/// (Problems *inside* a config file are `ConfigError`s.)
public struct ModelFolderError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// The folder itself does not exist.
        case missingFolder
        /// No `model_index.json` at the root.
        case missingModelIndex
        /// A component Diffuse needs is not listed in `model_index.json`, listed as null, or has no folder.
        case missingComponent
        /// A component folder has no `config.json` (or `scheduler_config.json`, `tokenizer_config.json`).
        case missingConfig
        /// No weight file at all in a component folder.
        case missingWeights
        /// Only weights in formats Diffuse does not read (`.bin`, `.ckpt`, `.pt`, `.pth`).
        case unsupportedWeights
        /// The requested variant (e.g. fp16) is not there, or only a variant is there and none was asked for.
        case variantMismatch
        /// A sharded checkpoint's `*.safetensors.index.json` is unreadable or malformed.
        case invalidShardIndex
        /// A shard named in the index is missing.
        case missingShard
        /// The tokenizer folder has neither `vocab.json` + `merges.txt` nor `tokenizer.json`.
        case missingTokenizerFiles
    }

    public var kind: Kind
    /// The file or folder concerned.
    public var path: String
    /// What is wrong and what to do about it.
    public var message: String

    public init(_ kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

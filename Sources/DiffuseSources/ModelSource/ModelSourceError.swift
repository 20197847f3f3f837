/// Why a `--model` argument could not be resolved to a folder. The description names what was looked
/// for, where, and what to do.
public struct ModelSourceError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// Neither an existing folder nor a hub id.
        case notFound
        /// Has the form org/name but is not a legal hub id (path traversal, bad characters), or a bad
        /// `--revision` / `--variant`.
        case invalidID
        /// A hub id with no entry in the local cache (and no download: offline, or the network failed).
        case notCached
        /// The cache entry has no ref of that name, and the revision is not a commit hash.
        case revisionNotFound
        /// The ref names a commit whose snapshot folder is absent.
        case snapshotMissing
        /// A file of a cached snapshot is a symlink whose blob is gone.
        case danglingSymlink
        /// The hub answered 401/403: a gated or private repository.
        case unauthorized
        /// The hub answered 404: no such repository, revision or file.
        case notOnHub
        /// The repository lacks files Diffuse needs (no weights of the variant, no model_index.json).
        case incompleteRepo
        /// The hub (or its CDN) answered something unreadable, or the body ended early.
        case badResponse
        /// A downloaded file's sha256 differs from the one the hub gave; the download was deleted.
        case checksumMismatch
        /// The cache could not be written (permissions, disk full).
        case cacheWriteFailed
        /// An option that does not apply to this kind of model (e.g. `--config` for a folder).
        case invalidOption
    }

    public var kind: Kind
    /// The `--model` argument.
    public var model: String
    public var message: String

    public init(_ kind: Kind, model: String, message: String) {
        self.kind = kind
        self.model = model
        self.message = message
    }

    public var description: String { "\(model): \(message)" }
}

/// What a `--model` argument resolved to: the diffusers folder to open and where it came from
/// (`diffuse inspect` prints `location`).
public struct ResolvedModel: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        /// A local diffusers folder, as given.
        case folder
        /// A snapshot already in the Hugging Face cache at `cache` (the cache root).
        case hubCache(cache: String, commit: String)
        /// Downloaded (`files` files, `bytes` bytes; 0 when every blob was already cached) from
        /// `endpoint` into the cache at `cache`.
        case downloaded(endpoint: String, cache: String, commit: String, files: Int, bytes: Int)
    }

    /// The diffusers folder (for a hub id: `<cache>/models--org--name/snapshots/<commit>`).
    public var path: String
    public var origin: Origin
    /// The `--model` argument.
    public var model: String

    public init(path: String, origin: Origin, model: String) {
        self.path = path
        self.origin = origin
        self.model = model
    }

    /// One line: `folder DIR`, `Hugging Face cache ROOT, snapshot HASH`, or
    /// `downloaded from URL (N files, X MB) into SNAPSHOT`.
    public var location: String {
        switch origin {
        case .folder:
            return "folder \(path)"
        case let .hubCache(cache, commit):
            return "Hugging Face cache \(cache), snapshot \(commit) (\(path))"
        case let .downloaded(endpoint, _, _, files, bytes):
            let amount = files == 0 ? "every file was already cached"
                : "\(files) file\(files == 1 ? "" : "s"), \(String(Double(bytes / 100_000) / 10)) MB"
            return "downloaded from \(endpoint)/\(model) (\(amount)) into \(path)"
        }
    }
}

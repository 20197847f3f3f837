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
        /// A single-file checkpoint (`path` is the file); after `ModelSource.open`, `configs` is the folder
        /// its configs came from, `recognised` when they were chosen from the tensor shapes.
        case singleFile(configs: String?, recognised: Bool)
    }

    /// The diffusers folder (for a hub id: `<cache>/models--org--name/snapshots/<commit>`), or the
    /// checkpoint file of a single-file model.
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
        case let .singleFile(configs, recognised):
            let source = configs.map { recognised ? "standard configs recognised from the tensor shapes (\($0))" : "configs from \($0)" }
            return "single-file checkpoint \(path)" + (source.map { ", " + $0 } ?? "")
        }
    }
}

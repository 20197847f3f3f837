#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where a `--model` argument points, resolved as diffusers' `from_pretrained` does
/// (huggingface_hub `snapshot_download`):
///
/// - an existing folder: used as is;
/// - an existing file: a single-file checkpoint — `ModelReference.file`, not handled here yet;
/// - a hub id `org/name` (+ `revision`, default `main`, + `variant`): first the local Hugging Face
///   cache, then — unless `HF_HUB_OFFLINE` is set — a download from the hub into that same cache:
///
///       <cache>/models--{org}--{name}/refs/<revision>      the commit hash (a text file)
///       <cache>/models--{org}--{name}/snapshots/<hash>/…   the files (symlinks into ../../blobs/)
///
/// The cache root is `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`; the hub is
/// `HF_ENDPOINT` (default https://huggingface.co), with `HF_TOKEN` for gated or private models.
/// A cached snapshot is used without any request when `ModelFolder` can open it (decision: repeat runs
/// must work offline and start instantly; pass a commit hash or remove `refs/main` to pick up a newer
/// commit of a branch).
public struct ModelSource: Sendable {
    /// The variables the resolution reads, from the process environment.
    public static var current: [String: String] {
        var env: [String: String] = [:]
        for name in ["HF_HUB_CACHE", "HF_HOME", "HOME", "HF_ENDPOINT", "HF_TOKEN", "HF_TOKEN_PATH",
                     "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DOWNLOAD_TIMEOUT"] {
            if let value = getenv(name) { env[name] = String(cString: value) }
        }
        return env
    }

    /// The hub cache root for `environment`.
    public static func cacheRoot(environment: [String: String] = current) -> String {
        if let hub = environment["HF_HUB_CACHE"], !hub.isEmpty { return expandTilde(hub, environment) }
        return hfHome(environment) + "/hub"
    }

    /// The hub URL: `HF_ENDPOINT` without a trailing `/`, default https://huggingface.co.
    public static func endpoint(environment: [String: String] = current) -> String {
        var endpoint = environment["HF_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://huggingface.co"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        return endpoint
    }

    /// `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) is 1/ON/YES/TRUE (constants.py `_is_true`).
    public static func isOffline(environment: [String: String] = current) -> Bool {
        let value = environment["HF_HUB_OFFLINE"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["TRANSFORMERS_OFFLINE"]
        return ["1", "ON", "YES", "TRUE"].contains(value?.uppercased() ?? "")
    }

    /// `HF_TOKEN`, else the token `huggingface-cli login` saved (`HF_TOKEN_PATH`, else `$HF_HOME/token`).
    public static func token(environment: [String: String] = current) -> String? {
        if let token = environment["HF_TOKEN"], !token.isEmpty { return token }
        let path = environment["HF_TOKEN_PATH"].flatMap { $0.isEmpty ? nil : expandTilde($0, environment) }
            ?? hfHome(environment) + "/token"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return token.isEmpty ? nil : token
    }

    /// Resolves `model` to a diffusers folder and says where it came from. `progress` shows downloads.
    /// Throws `ModelSourceError`.
    public static func locate(_ model: String, revision: String? = nil, variant: String? = nil,
                              environment: [String: String] = current,
                              progress: DownloadProgress? = nil) throws -> ResolvedModel {
        if let variant, let problem = variantProblem(variant) {
            throw ModelSourceError(.invalidID, model: model, message: "--variant \"\(variant)\": \(problem)")
        }
        switch try ModelReference.classify(model) {
        case .folder(let path):
            return ResolvedModel(path: path, origin: .folder, model: model)
        case .file(let path):
            // Opened by `ModelSource.open` through SingleFileCheckpoint (pickles are refused there).
            return ResolvedModel(path: path, origin: .singleFile(configs: nil, recognised: false), model: model)
        case .hub(let id):
            let revision = revision ?? "main"
            if let problem = revisionProblem(revision) {
                throw ModelSourceError(.invalidID, model: model, message: "--revision \"\(revision)\": \(problem)")
            }
            return try locateHub(id, revision: revision, variant: variant, environment: environment, progress: progress)
        }
    }

    /// The folder for `model` (see `locate`).
    public static func resolve(_ model: String, revision: String? = nil, variant: String? = nil,
                               environment: [String: String] = current,
                               progress: DownloadProgress? = nil) throws -> String {
        try locate(model, revision: revision, variant: variant, environment: environment, progress: progress).path
    }

    static func hfHome(_ environment: [String: String]) -> String {
        if let home = environment["HF_HOME"], !home.isEmpty { return expandTilde(home, environment) }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "~"
        return userHome + "/.cache/huggingface"
    }

    static func expandTilde(_ path: String, _ environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty else { return path }
        return home + path.dropFirst()
    }

    static func isDirectory(_ path: String) -> Bool { ModelFolder.isDirectory(path) }

    static func isFile(_ path: String) -> Bool { ModelFolder.isFile(path) }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where a `--model` argument points: an existing folder, or a Hugging Face hub id (`org/name`) found in
/// the local Hugging Face cache, resolved as huggingface_hub's `snapshot_download(local_files_only=True)`:
///
///     <cache>/models--{org}--{name}/refs/<revision>      the commit hash (a text file)
///     <cache>/models--{org}--{name}/snapshots/<hash>/…   the files (symlinks into ../../blobs/)
///
/// The cache root is `HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`.
/// Nothing is downloaded (yet): an id not in the cache is an error that says how to fetch it.
public struct ModelSource: Sendable {
    /// The variables the resolution reads, from the process environment.
    public static var current: [String: String] {
        var env: [String: String] = [:]
        for name in ["HF_HUB_CACHE", "HF_HOME", "HOME"] {
            if let value = getenv(name) { env[name] = String(cString: value) }
        }
        return env
    }

    /// The hub cache root for `environment`.
    public static func cacheRoot(environment: [String: String] = current) -> String {
        if let hub = environment["HF_HUB_CACHE"], !hub.isEmpty { return expandTilde(hub, environment) }
        if let home = environment["HF_HOME"], !home.isEmpty { return expandTilde(home, environment) + "/hub" }
        let userHome = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "~"
        return userHome + "/.cache/huggingface/hub"
    }

    /// Whether `model` has the form of a hub model id: `org/name`, exactly one slash, each part of
    /// letters, digits, `-`, `_`, `.`, not starting or ending with `-` or `.`, no `--` or `..`, ≤ 96 chars.
    public static func isHubID(_ model: String) -> Bool {
        let parts = model.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, model.count <= 96 else { return false }
        for part in parts {
            guard !part.isEmpty,
                  part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }),
                  !part.contains("--"), !part.contains(".."),
                  let first = part.first, let last = part.last,
                  first != "-", first != ".", last != "-", last != "."
            else { return false }
        }
        return true
    }

    /// Whether `revision` looks like a full commit hash (40 lowercase hex digits).
    public static func isCommitHash(_ revision: String) -> Bool {
        revision.count == 40 && revision.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
    }

    /// The folder for `model`: an existing directory as given, or the cached snapshot folder of the hub
    /// id `model` at `revision` (default `"main"`). Throws `ModelSourceError`.
    public static func resolve(_ model: String, revision: String? = nil,
                               environment: [String: String] = current) throws -> String {
        if isDirectory(model) { return model }
        guard isHubID(model) else {
            throw ModelSourceError(.notFound, model: model,
                message: "no such folder, and not a Hugging Face hub id (org/name); give a diffusers model folder (the one containing model_index.json) or a hub id such as org/name")
        }
        let revision = revision ?? "main"
        let root = cacheRoot(environment: environment)
        let repo = root + "/models--" + model.split(separator: "/").joined(separator: "--")
        guard isDirectory(repo) else {
            throw ModelSourceError(.notCached, model: model,
                message: "not in the Hugging Face cache (looked for \(repo)); downloads are not supported yet: fetch it with `huggingface-cli download \(model)` (it fills that cache), set HF_HUB_CACHE or HF_HOME if your cache is elsewhere, or pass a model folder")
        }
        let hash: String
        let refPath = repo + "/refs/" + revision
        if !revision.contains(".."), isFile(refPath),
           let text = try? String(contentsOfFile: refPath, encoding: .utf8) {
            hash = String(text.filter { !$0.isWhitespace })
        } else if isCommitHash(revision) {
            hash = revision
        } else {
            let refs = listRefs(repo + "/refs")
            let present = refs.isEmpty ? "no refs present" : "refs present: " + refs.joined(separator: ", ")
            throw ModelSourceError(.revisionNotFound, model: model,
                message: "revision \"\(revision)\" not found in the cache (looked for \(refPath)); \(present); pass one of them (or a 40-hex commit hash) with --revision, or download that revision with `huggingface-cli download \(model) --revision \(revision)`")
        }
        let snapshot = repo + "/snapshots/" + hash
        guard isCommitHash(hash) || (!hash.isEmpty && !hash.contains("/")), isDirectory(snapshot) else {
            throw ModelSourceError(.snapshotMissing, model: model,
                message: "revision \"\(revision)\" is commit \(hash), but its snapshot folder \(snapshot) is missing; the cache entry is incomplete: download it again with `huggingface-cli download \(model) --revision \(revision)`")
        }
        return snapshot
    }

    static func expandTilde(_ path: String, _ environment: [String: String]) -> String {
        guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty else { return path }
        return home + path.dropFirst()
    }

    /// Ref names under `refs/`, nested ones (`refs/pr/1`) as `pr/1`, sorted.
    static func listRefs(_ folder: String) -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.subpathsOfDirectory(atPath: folder) else { return [] }
        return names.filter { isFile(folder + "/" + $0) }.sorted()
    }

    static func isDirectory(_ path: String) -> Bool { ModelFolder.isDirectory(path) }

    static func isFile(_ path: String) -> Bool { ModelFolder.isFile(path) }
}

/// Why a `--model` argument could not be resolved to a folder. The description names what was looked
/// for, where, and what to do.
public struct ModelSourceError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// Neither an existing folder nor a hub id.
        case notFound
        /// A hub id with no entry in the local cache.
        case notCached
        /// The cache entry has no ref of that name, and the revision is not a commit hash.
        case revisionNotFound
        /// The ref names a commit whose snapshot folder is absent.
        case snapshotMissing
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

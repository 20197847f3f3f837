#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Finding a revision in the local hub cache, as huggingface_hub's `snapshot_download(local_files_only=True)`
/// (`_snapshot_download.py`): `refs/<revision>` gives the commit, else the revision is a commit hash;
/// its `snapshots/<commit>` folder must exist.
extension ModelSource {
    /// The snapshot folder and commit of `revision` in `cache`. Throws `.notCached`,
    /// `.revisionNotFound` or `.snapshotMissing`.
    static func cachedSnapshot(_ cache: HubCacheRepo, model: String, revision: String) throws -> (path: String, commit: String) {
        let repo = cache.folder
        guard isDirectory(repo) else {
            throw ModelSourceError(.notCached, model: model,
                message: "not in the Hugging Face cache (looked for \(repo))")
        }
        let hash: String
        let refPath = cache.ref(revision)
        if isFile(refPath), let text = try? String(contentsOfFile: refPath, encoding: .utf8) {
            hash = String(text.filter { !$0.isWhitespace })
        } else if isCommitHash(revision) {
            hash = revision
        } else {
            let refs = listRefs(repo + "/refs")
            let present = refs.isEmpty ? "no refs present" : "refs present: " + refs.joined(separator: ", ")
            throw ModelSourceError(.revisionNotFound, model: model,
                message: "revision \"\(revision)\" not found in the cache (looked for \(refPath)); \(present); pass one of them (or a 40-hex commit hash) with --revision, or download that revision with `huggingface-cli download \(model) --revision \(revision)`")
        }
        let snapshot = cache.snapshot(hash)
        guard !hash.isEmpty, !hash.contains("/"), !hash.contains(".."), isDirectory(snapshot) else {
            throw ModelSourceError(.snapshotMissing, model: model,
                message: "revision \"\(revision)\" is commit \(hash), but its snapshot folder \(snapshot) is missing; the cache entry is incomplete: download it again with `huggingface-cli download \(model) --revision \(revision)`")
        }
        return (snapshot, hash)
    }

    /// Nil when `snapshot` opens as `layout`'s folder (`ModelFolder`, `VAEFolder`) with `variant`; otherwise
    /// why not (a dangling symlink named first: a blob deleted from under the cache).
    static func snapshotProblem(_ snapshot: String, variant: String?, layout: HubLayout = .pipeline,
                                model: String) -> ModelSourceError? {
        do {
            try layout.open(snapshot, variant: variant)
            return nil
        } catch {
            let dangling = HubCacheRepo.danglingLinks(in: snapshot)
            if !dangling.isEmpty {
                let shown = dangling.prefix(3).joined(separator: ", ") + (dangling.count > 3 ? ", …" : "")
                return ModelSourceError(.danglingSymlink, model: model,
                    message: "the cached snapshot \(snapshot) has \(dangling.count) file\(dangling.count == 1 ? "" : "s") whose blob is gone (\(shown)); download again (unset HF_HUB_OFFLINE) or delete that snapshot folder")
            }
            let reason = "\(error)".split(whereSeparator: \.isNewline).joined(separator: "; ")
            return ModelSourceError(.snapshotMissing, model: model,
                message: "the cached snapshot \(snapshot) is incomplete for Diffuse (\(reason)); download it again (unset HF_HUB_OFFLINE)")
        }
    }

    /// Ref names under `refs/`, nested ones (`refs/pr/1`) as `pr/1`, sorted.
    static func listRefs(_ folder: String) -> [String] {
        let fm = FileManager.default
        guard let names = try? fm.subpathsOfDirectory(atPath: folder) else { return [] }
        return names.filter { isFile(folder + "/" + $0) && !$0.contains(".tmp-") }.sorted()
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import DiffuseCore

/// Downloads the files Diffuse needs of one repository revision into the hub cache, as huggingface_hub's
/// `snapshot_download` (`_snapshot_download.py`: `model_info` → commit + file list, then
/// `hf_hub_download(revision=commit)` per file, `file_download.py` `_hf_hub_download_to_cache_dir`):
/// a file already in `snapshots/<commit>/` costs no request; a blob already in `blobs/` is only linked;
/// a new one is downloaded to `blobs/<etag>.incomplete` (resumed if present), checked (size, and the
/// sha256 for LFS files, whose etag is that hash), then renamed. `refs/<revision>` is written last,
/// so an interrupted download never looks complete.
struct HubSnapshotDownload {
    struct Result: Sendable, Equatable {
        var commit: String
        var snapshot: String
        /// Files and bytes actually transferred (blobs already cached are not counted).
        var files: Int
        var bytes: Int
    }

    let cache: HubCacheRepo
    let client: HubClient
    let progress: DownloadProgress?

    /// Downloads what `layout` needs of `revision` (default: a pipeline).
    func run(revision: String, variant: String?, layout: HubLayout = .pipeline) throws -> Result {
        let info = try client.repoInfo(id: cache.id, revision: revision)
        let selection = try layout.select(siblings: info.files, variant: variant, model: client.model, revision: revision)
        var result = Result(commit: info.commit, snapshot: cache.snapshot(info.commit), files: 0, bytes: 0)
        var files = selection.files
        var index = 0
        while index < files.count {
            let file = files[index]
            let bytes = try fetch(file, commit: info.commit)
            if bytes > 0 { result.files += 1; result.bytes += bytes }
            if selection.shardIndexes.contains(file) {
                files += try HubFileSelection.shards(ofIndex: file, localPath: cache.pointer(commit: info.commit, file: file),
                                                     siblings: info.files, model: client.model)
            }
            index += 1
        }
        if revision != info.commit {
            do { try cache.writeRef(revision, commit: info.commit) } catch { throw writeFailed(cache.ref(revision), error) }
        }
        return result
    }

    /// One file into `snapshots/<commit>/<file>`; returns the bytes downloaded (0 when cached).
    func fetch(_ file: String, commit: String) throws -> Int {
        let pointer = cache.pointer(commit: commit, file: file)
        if HubCacheRepo.fileSize(pointer) != nil { return 0 }
        let metadata = try client.fileMetadata(id: cache.id, commit: commit, file: file)
        let blob = cache.blob(metadata.etag)
        let downloaded: Int = try cache.withBlobLock(metadata.etag) {
            if HubCacheRepo.fileSize(blob) != nil { return 0 }
            let incomplete = blob + ".incomplete"
            let digest = try client.download(metadata.location, to: incomplete, expectedSize: metadata.size, file: file, progress: progress)
            try verify(incomplete, etag: metadata.etag, size: metadata.size, digest: digest, file: file)
            guard rename(incomplete, blob) == 0 else { throw writeFailed(blob, nil) }
            return HubCacheRepo.fileSize(blob) ?? 0
        }
        do { try cache.link(file: file, commit: commit, etag: metadata.etag) } catch { throw writeFailed(pointer, error) }
        return downloaded
    }

    /// Size, and for LFS files (etag = 64 hex digits, the content's sha256) the checksum `digest` of
    /// the download; a bad file is deleted so the next run starts afresh.
    func verify(_ path: String, etag: String, size: Int?, digest: String, file: String) throws {
        let actual = HubCacheRepo.fileSize(path) ?? 0
        if let size, actual != size {
            unlink(path)
            throw ModelSourceError(.badResponse, model: client.model,
                message: "\(file): got \(actual) bytes, the hub said \(size); the partial file was deleted, run again to download it afresh")
        }
        guard etag.count == 64, etag.allSatisfy(\.isHexDigit) else { return }
        guard digest == etag.lowercased() else {
            unlink(path)
            throw ModelSourceError(.checksumMismatch, model: client.model,
                message: "\(file): sha256 of the download is \(digest), the hub says \(etag); the bad download was deleted: run again (if it repeats, a proxy or the server is serving bad data)")
        }
    }

    func writeFailed(_ path: String, _ error: (any Error)?) -> ModelSourceError {
        if let error = error as? ModelSourceError { return error }
        let reason = error.map { "\($0)" } ?? String(cString: strerror(errno))
        return ModelSourceError(.cacheWriteFailed, model: client.model,
            message: "cannot write \(path) (\(reason)); check the cache folder's permissions and free space, or set HF_HUB_CACHE to a writable folder")
    }
}

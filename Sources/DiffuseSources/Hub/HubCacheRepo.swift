#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One model repository in the Hugging Face hub cache, laid out as huggingface_hub writes it
/// (`file_download.py`: `hf_hub_download`, `_create_symlink`, `_cache_commit_hash_for_specific_revision`):
///
///     <root>/models--{org}--{name}/blobs/<etag>                 file contents (sha256 for LFS files)
///     <root>/models--{org}--{name}/blobs/<etag>.incomplete      a download in progress (resumable)
///     <root>/models--{org}--{name}/refs/<revision>              the commit hash, no newline
///     <root>/models--{org}--{name}/snapshots/<commit>/<file>    → ../../blobs/<etag> (relative symlink)
///
/// A blob appears under its final name only once complete and checked, so a snapshot file that resolves
/// is whole; diffusers and Diffuse share the cache.
struct HubCacheRepo: Sendable {
    let root: String
    let id: String

    /// `models--org--name` (huggingface_hub's `repo_folder_name`, separator `--`).
    var folder: String { root + "/models--" + id.split(separator: "/").joined(separator: "--") }

    func blob(_ etag: String) -> String { folder + "/blobs/" + etag }
    func snapshot(_ commit: String) -> String { folder + "/snapshots/" + commit }
    func pointer(commit: String, file: String) -> String { snapshot(commit) + "/" + file }
    func ref(_ revision: String) -> String { folder + "/refs/" + revision }

    /// Records that `revision` (a branch or tag) is `commit`: `refs/<revision>`, written atomically.
    func writeRef(_ revision: String, commit: String) throws {
        try Self.writeAtomically(Data(commit.utf8), to: ref(revision))
    }

    /// Points `snapshots/<commit>/<file>` at `blobs/<etag>` with a relative symlink (one `../` per
    /// folder level of `file`, as `os.path.relpath` gives), replacing a stale or dangling link.
    func link(file: String, commit: String, etag: String) throws {
        let pointer = self.pointer(commit: commit, file: file)
        let depth = file.split(separator: "/").count - 1
        let target = String(repeating: "../", count: 2 + depth) + "blobs/" + etag
        try Self.createParent(of: pointer)
        unlink(pointer)   // a dangling link from an earlier, broken cache
        try FileManager.default.createSymbolicLink(atPath: pointer, withDestinationPath: target)
    }

    /// Files of a snapshot (relative paths) whose symlink points at nothing.
    static func danglingLinks(in snapshot: String) -> [String] {
        guard let entries = try? FileManager.default.subpathsOfDirectory(atPath: snapshot) else { return [] }
        return entries.filter { entry in
            let path = snapshot + "/" + entry
            var link = stat(), target = stat()
            return lstat(path, &link) == 0 && (link.st_mode & S_IFMT) == S_IFLNK && stat(path, &target) != 0
        }.sorted()
    }

    /// Size of the file at `path` (following links), nil if absent.
    static func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    static func createParent(of path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        try FileManager.default.createDirectory(atPath: String(path[..<slash]), withIntermediateDirectories: true)
    }

    /// Writes `data` to `path` through a temporary file and `rename`, so readers never see half a file.
    static func writeAtomically(_ data: Data, to path: String) throws {
        try createParent(of: path)
        let temporary = path + ".tmp-\(getpid())"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ModelSourceError(.cacheWriteFailed, model: path,
                message: "could not move a finished file into place (\(String(cString: strerror(errno)))); check the cache folder's permissions and free space")
        }
    }
}

extension HubCacheRepo {
    /// Runs `body` holding huggingface_hub's lock for blob `etag`
    /// (`<root>/.locks/models--org--name/<etag>.lock`, an exclusive `flock`, which is what Python's
    /// `filelock` takes on Unix), so Diffuse and diffusers never write the same blob at once.
    func withBlobLock<T>(_ etag: String, _ body: () throws -> T) throws -> T {
        let name = String(folder[folder.index(after: folder.lastIndex(of: "/")!)...])
        let path = root + "/.locks/" + name + "/" + etag + ".lock"
        try Self.createParent(of: path)
        let fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw ModelSourceError(.cacheWriteFailed, model: id,
                message: "cannot create the lock file \(path) (\(String(cString: strerror(errno)))); check the cache folder's permissions, or set HF_HUB_CACHE to a writable folder")
        }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

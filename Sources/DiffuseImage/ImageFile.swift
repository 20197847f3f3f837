#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic writes with errors that name the file (POSIX calls, so the messages can
/// say exactly which step failed).
enum ImageFile {
    /// Larger inputs are refused (also stops `/dev/zero` and endless pipes).
    static let maxFileBytes = 1 << 30

    static func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

    static func contents(of path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == ENOENT {
                throw ImageError(.notFound, path: path, "no such file — check the path")
            }
            throw ImageError(.unreadable, path: path, "cannot open it: \(errnoText(code))")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw ImageError(.unreadable, path: path, "this is a folder, not an image file")
        }
        var bytes: [UInt8] = []
        if info.st_size > 0 { bytes.reserveCapacity(Int(info.st_size)) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw ImageError(.unreadable, path: path, "read failed: \(errnoText(code))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > maxFileBytes {
                throw ImageError(.unreadable, path: path,
                                 "more than \(maxFileBytes >> 30) GiB: too large to be an image this program accepts")
            }
        }
        return bytes
    }

    /// Writes `bytes` to a new temporary file in `path`'s folder and renames it over `path`, so that
    /// `path` either keeps its old content or gets all the new bytes; the temporary file is removed
    /// on every error.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temp = try writeTemporary(bytes, for: path)
        do {
            _ = try commit(temp, to: path, replacing: true)
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// Writes `bytes` to a new hidden temporary file (`.<name>.<pid>.<random>.tmp`) in `path`'s folder,
    /// synced to disk, and returns its path; on any error nothing is left behind.
    static func writeTemporary(_ bytes: [UInt8], for path: String) throws -> String {
        let (folderPath, name) = try split(path)
        var info = stat()
        if stat(folderPath, &info) != 0 {
            throw ImageError(.unwritable, path: path,
                             "the folder \(folderPath) does not exist — create it first or choose another output path")
        }
        if (info.st_mode & S_IFMT) != S_IFDIR {
            throw ImageError(.unwritable, path: path, "\(folderPath) is not a folder")
        }
        var temp = ""
        var fd: Int32 = -1
        for attempt in 0..<100 {
            temp = "\(folderPath)/.\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).\(attempt).tmp"
            fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
            if fd >= 0 || errno != EEXIST { break }
        }
        if fd < 0 {
            throw ImageError(.unwritable, path: path,
                             "cannot create a file in \(folderPath): \(errnoText(errno))")
        }
        var ok = false
        defer {
            if fd >= 0 { close(fd) }
            if !ok { unlink(temp) }
        }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw ImageError(.unwritable, path: path, "write failed: \(errnoText(code))")
            }
            written += n
        }
        if fsync(fd) != 0 {
            throw ImageError(.unwritable, path: path, "write failed: \(errnoText(errno))")
        }
        let closed = close(fd)
        fd = -1
        if closed != 0 {
            throw ImageError(.unwritable, path: path, "write failed: \(errnoText(errno))")
        }
        ok = true
        return temp
    }

    /// Moves the finished temporary file `temp` to `path`. `replacing`: over whatever regular file is
    /// there (rename). Otherwise only if nothing is there — `link` fails atomically on an existing name,
    /// so a file created meanwhile by someone else is never replaced — and returns false (leaving `temp`)
    /// when the name is taken. Either way a symlink, folder or device at `path` is refused.
    static func commit(_ temp: String, to path: String, replacing: Bool) throws -> Bool {
        switch OutputTarget(path) {
        case .free: break
        case .regularFile: if !replacing { return false }
        case .other(let kind):
            throw ImageError(.unwritable, path: path, "\(kind) is there; outputs are written only to regular files — choose another output path")
        }
        if replacing {
            if rename(temp, path) != 0 {
                throw ImageError(.unwritable, path: path, "cannot replace the file: \(errnoText(errno))")
            }
            return true
        }
        if link(temp, path) != 0 {
            let code = errno
            if code == EEXIST { return false }
            throw ImageError(.unwritable, path: path, "cannot create the file: \(errnoText(code))")
        }
        unlink(temp)
        return true
    }

    /// The folder (`.` for a bare name, `/` at the root) and file name of `path`.
    static func split(_ path: String) throws -> (folder: String, name: String) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else {
            throw ImageError(.unwritable, path: path, "the output path names a folder, not a file")
        }
        return (folder.isEmpty ? "/" : folder, name)
    }
}

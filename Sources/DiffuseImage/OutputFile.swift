#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing outputs without losing a user's file (`diffuse generate`): bytes go to a hidden temporary file
/// in the target's folder first (`writeTemporary`), then `commit` moves it into place — replacing a
/// regular file only when asked, never a symlink, folder or device — and `freeName` picks the next
/// unused name (`out.png` → `out.2.png`, `out.3.png`, …) when the asked one is taken.
public enum OutputFile {
    public static func writeTemporary(_ bytes: [UInt8], for path: String) throws -> String {
        try ImageFile.writeTemporary(bytes, for: path)
    }

    /// True when `temp` became `path`; false (with `temp` left in place) when `replacing` is false and the
    /// name is taken.
    public static func commit(_ temp: String, to path: String, replacing: Bool) throws -> Bool {
        try ImageFile.commit(temp, to: path, replacing: replacing)
    }

    /// Removes a temporary file (or an output this run created), ignoring errors.
    public static func remove(_ path: String) { unlink(path) }

    /// `path` when nothing is there and it is not in `taken`, else `<stem>.2.<ext>`, `<stem>.3.<ext>`, …
    /// (the first free one); nil after `limit` tries.
    public static func freeName(for path: String, taken: Set<String> = [], limit: Int = 100_000) -> String? {
        func free(_ p: String) -> Bool { !taken.contains(p) && OutputTarget(p) == .free }
        if free(path) { return path }
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let dot = path[slash...].lastIndex(of: ".").flatMap { $0 == slash ? nil : $0 }
        let (stem, ext) = dot.map { (String(path[..<$0]), String(path[$0...])) } ?? (path, "")
        for n in 2...max(2, limit) where free("\(stem).\(n)\(ext)") { return "\(stem).\(n)\(ext)" }
        return nil
    }
}

/// What is at an output path now (lstat: a symlink is reported as one, never followed).
public enum OutputTarget: Equatable, Sendable {
    case free
    case regularFile
    /// A symlink, folder, device, pipe or socket, in words ("a symlink").
    case other(String)

    public init(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { self = .free; return }
        switch info.st_mode & S_IFMT {
        case S_IFREG: self = .regularFile
        case S_IFLNK: self = .other("a symlink")
        case S_IFDIR: self = .other("a folder")
        case S_IFCHR, S_IFBLK: self = .other("a device")
        case S_IFIFO: self = .other("a pipe")
        default: self = .other("a special file")
        }
    }
}

/// The memory limit of this process's cgroup, as Linux exposes it:
///
/// - `/proc/self/cgroup` names the process's cgroup per hierarchy: `0::/user.slice/…` for cgroup v2,
///   `4:memory:/docker/abc` for the v1 memory controller (`id:controllers:path`);
/// - `/proc/self/mountinfo` says where each hierarchy is mounted (`cgroup2`, or `cgroup` with the
///   `memory` super option) and which of its directories the mount shows (its root: a container sees
///   its own cgroup as `/`);
/// - the limit is `memory.max` (v2: a byte count or `max`) or `memory.limit_in_bytes` (v1: a byte
///   count, about 2⁶³ when unlimited) in the cgroup's directory — and a parent's limit bounds its
///   children, so every directory from the cgroup up to the mount is read and the smallest wins.
///
/// Missing files, unreadable or garbled content are ignored (no limit from that file), never fatal.
enum CgroupMemory {
    /// A mounted hierarchy: the cgroup path it shows as its top (`root`) and where (`point`).
    struct Mount: Equatable {
        var root: String
        var point: String
    }

    /// The v2 and v1 limits found (zero, one or both), read through `readFile`.
    static func limits(readFile: (String) -> String?) -> [MemoryLimit] {
        guard let membership = readFile("/proc/self/cgroup") else { return [] }
        let (v2Path, v1Path) = paths(membership)
        let mounts = readFile("/proc/self/mountinfo").map(Self.mounts) ?? (v2: nil, v1Memory: nil)
        var found: [MemoryLimit] = []
        if let path = v2Path,
           let (bytes, file) = smallest(path, in: mounts.v2 ?? Mount(root: "/", point: "/sys/fs/cgroup"),
                                        file: "memory.max", readFile: readFile) {
            found.append(MemoryLimit(bytes: bytes, source: .cgroupV2(file: file)))
        }
        if let path = v1Path,
           let (bytes, file) = smallest(path, in: mounts.v1Memory ?? Mount(root: "/", point: "/sys/fs/cgroup/memory"),
                                        file: "memory.limit_in_bytes", readFile: readFile) {
            found.append(MemoryLimit(bytes: bytes, source: .cgroupV1(file: file)))
        }
        return found
    }

    /// The cgroup v2 path (`0::path`) and the v1 memory controller's path in `/proc/self/cgroup`.
    static func paths(_ text: String) -> (v2: String?, v1Memory: String?) {
        var v2: String?, v1: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[2].hasPrefix("/") else { continue }
            if fields[0] == "0" && fields[1].isEmpty {
                v2 = String(fields[2])
            } else if fields[1].split(separator: ",").contains("memory") {
                v1 = String(fields[2])
            }
        }
        return (v2, v1)
    }

    /// The cgroup2 mount and the v1 memory mount in `/proc/self/mountinfo`, whose lines read
    /// `id parent major:minor root point options [optional…] - fstype source superOptions`.
    static func mounts(_ text: String) -> (v2: Mount?, v1Memory: Mount?) {
        var v2: Mount?, v1: Mount?
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ")
            guard let dash = fields.firstIndex(of: "-"), dash >= 5, dash + 3 < fields.count else { continue }
            let mount = Mount(root: unescape(fields[3]), point: unescape(fields[4]))
            switch fields[dash + 1] {
            case "cgroup2": v2 = v2 ?? mount
            case "cgroup" where fields[dash + 3].split(separator: ",").contains("memory"): v1 = v1 ?? mount
            default: continue
            }
        }
        return (v2, v1)
    }

    /// The smallest limit in `file` of the cgroup at `path` and of every cgroup above it that `mount`
    /// shows, with the file it came from; nil when none of them sets one.
    static func smallest(_ path: String, in mount: Mount, file: String,
                         readFile: (String) -> String?) -> (bytes: Int, file: String)? {
        var relative = path
        if mount.root != "/" {
            // Outside the mounted subtree (the mount shows the cgroup itself, as in a container whose
            // cgroup namespace is not separate): read from the mount's top.
            relative = path == mount.root || path.hasPrefix(mount.root + "/") ? String(path.dropFirst(mount.root.count)) : "/"
        }
        var best: (bytes: Int, file: String)?
        var components = relative.split(separator: "/").map(String.init)
        while true {
            let directory = components.isEmpty ? mount.point : mount.point + "/" + components.joined(separator: "/")
            let full = directory + "/" + file
            if let bytes = readFile(full).flatMap(limitValue), bytes < best?.bytes ?? .max { best = (bytes, full) }
            if components.isEmpty { break }
            components.removeLast()
        }
        return best
    }

    /// A limit file's value in bytes; nil for `max`, for v1's "unlimited" (≥ 2⁶²), and for anything that
    /// is not a positive whole number.
    static func limitValue(_ text: String) -> Int? {
        let trimmed = text.filter { !$0.isWhitespace }
        guard let value = Int(trimmed), value > 0, value < 1 << 62 else { return nil }
        return value
    }

    /// mountinfo writes space, tab, newline and backslash in paths as octal escapes (`\040`).
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var out = "", rest = field[...]
        while let slash = rest.firstIndex(of: "\\") {
            out += rest[..<slash]
            let digits = rest[rest.index(after: slash)...].prefix(3)
            if digits.count == 3, let code = UInt8(digits, radix: 8) {
                out.unicodeScalars.append(Unicode.Scalar(code))
                rest = rest[rest.index(slash, offsetBy: 4)...]
            } else {
                out += "\\"
                rest = rest[rest.index(after: slash)...]
            }
        }
        return out + rest
    }
}

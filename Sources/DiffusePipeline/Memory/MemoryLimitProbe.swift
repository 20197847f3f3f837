#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the limits this process really has on memory, through readers that tests replace:
/// the machine's memory (`MemTotal` in /proc/meminfo, else `sysconf`) less `MemorySize.margin`, the
/// cgroup limit (`CgroupMemory`: v2 `memory.max`, v1 `memory.limit_in_bytes`), and `RLIMIT_AS` /
/// `RLIMIT_DATA`. `limit` is the smallest of them.
///
/// `readFile` gets absolute paths (`/proc/self/cgroup`, `/sys/fs/cgroup/…/memory.max`) and returns the
/// file's text, or nil when there is none; `resourceLimit` returns a soft limit in bytes, nil for
/// unlimited; `physicalBytes` is the fallback when /proc/meminfo is missing.
public struct MemoryLimitProbe: Sendable {
    public var readFile: @Sendable (String) -> String?
    public var resourceLimit: @Sendable (ResourceLimit) -> UInt64?
    public var physicalBytes: @Sendable () -> Int?

    public init(readFile: @escaping @Sendable (String) -> String?,
                resourceLimit: @escaping @Sendable (ResourceLimit) -> UInt64? = { _ in nil },
                physicalBytes: @escaping @Sendable () -> Int? = { nil }) {
        self.readFile = readFile
        self.resourceLimit = resourceLimit
        self.physicalBytes = physicalBytes
    }

    /// This process, this machine.
    public static let system = MemoryLimitProbe(
        readFile: { SystemFile.read($0) },
        resourceLimit: { $0.current },
        physicalBytes: {
            let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
            return pages > 0 && size > 0 ? pages * size : nil
        })

    /// The machine's memory in bytes: `MemTotal` (/proc/meminfo), else `physicalBytes`.
    public var machineBytes: Int? {
        if let text = readFile("/proc/meminfo") {
            for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("MemTotal:") {
                let fields = line.dropFirst("MemTotal:".count).split(separator: " ")
                if let value = fields.first.flatMap({ Int($0) }), value > 0 {
                    return fields.dropFirst().first == "kB" ? value * 1024 : value
                }
            }
        }
        return physicalBytes()
    }

    /// Every limit found, in this order: machine, cgroup v2, cgroup v1, RLIMIT_AS, RLIMIT_DATA.
    public var candidates: [MemoryLimit] {
        var found: [MemoryLimit] = []
        if let total = machineBytes, let usable = MemorySize.defaultLimit(machineBytes: total) {
            found.append(MemoryLimit(bytes: usable, source: .machine(totalBytes: total)))
        }
        found += CgroupMemory.limits(readFile: readFile)
        for resource in ResourceLimit.allCases {
            if let bytes = resourceLimit(resource), bytes > 0 {
                found.append(MemoryLimit(bytes: Int(clamping: bytes), source: resource.source))
            }
        }
        return found
    }

    /// The smallest candidate (the first of equal ones), nil when there is none.
    public var limit: MemoryLimit? {
        candidates.reduce(nil) { best, next in best.map { $0.bytes <= next.bytes ? $0 : next } ?? next }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `getrlimit` resources that bound how much memory the process can map.
public enum ResourceLimit: Sendable, CaseIterable {
    /// `RLIMIT_AS`: the whole address space (`ulimit -v`).
    case addressSpace
    /// `RLIMIT_DATA`: the data segment; since Linux 4.7 it counts private anonymous mappings as well,
    /// which is where tensors live (`HostAllocator`).
    case dataSegment

    /// The soft limit of this process in bytes, nil when unlimited (`RLIM_INFINITY`) or unknown.
    public var current: UInt64? {
        var value = rlimit()
        #if canImport(Glibc)
        let resource = self == .addressSpace ? __rlimit_resource_t(RLIMIT_AS.rawValue) : __rlimit_resource_t(RLIMIT_DATA.rawValue)
        #else
        let resource = self == .addressSpace ? RLIMIT_AS : RLIMIT_DATA
        #endif
        #if canImport(Glibc)
        let infinity = rlim_t.max   // Glibc's RLIM_INFINITY, -1 cast to rlim_t, does not import as a constant
        #else
        let infinity = RLIM_INFINITY
        #endif
        guard getrlimit(resource, &value) == 0, value.rlim_cur != infinity else { return nil }
        return UInt64(value.rlim_cur)
    }

    /// Where a limit read from this resource comes from.
    var source: MemoryLimit.Source { self == .addressSpace ? .addressSpace : .dataSegment }
}

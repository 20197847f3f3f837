import DiffusePipeline
import Testing

/// The default memory limit: the smallest of machine memory (less 10%), the cgroup's limit and the
/// rlimits, read through injected files and rlimits so that every case runs on any machine.
struct MemoryLimitProbeTests {
    static let gib = 1 << 30
    static let meminfo = "MemTotal:       25165824 kB\nMemFree:         1048576 kB\n"   // 24 GiB
    static let machine = MemoryLimit(bytes: 24 * gib - 24 * gib / 10, source: .machine(totalBytes: 24 * gib))
    /// cgroup v2 alone, mounted at /sys/fs/cgroup (systemd's unified layout).
    static let v2 = ["/proc/meminfo": meminfo,
                     "/proc/self/cgroup": "0::/user.slice/session-1.scope\n",
                     "/proc/self/mountinfo": "23 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                         + "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev - cgroup2 cgroup2 rw,nsdelegate\n"]
    static let v2Leaf = "/sys/fs/cgroup/user.slice/session-1.scope/memory.max"

    static func probe(_ files: [String: String], rlimits: [ResourceLimit: UInt64] = [:],
                      physical: Int? = nil) -> MemoryLimitProbe {
        MemoryLimitProbe(readFile: { files[$0] }, resourceLimit: { rlimits[$0] }, physicalBytes: { physical })
    }

    static func with(_ base: [String: String], _ extra: [String: String]) -> [String: String] {
        base.merging(extra) { _, new in new }
    }

    @Test func machineMemoryLessTenPercent() {
        let limit = Self.probe(["/proc/meminfo": Self.meminfo]).limit
        #expect(limit == Self.machine)
        #expect(limit?.description == "21.60 GiB (machine memory 24.00 GiB less 10%)")
        // Small machines keep at least 1 GiB for the OS.
        let small = Self.probe(["/proc/meminfo": "MemTotal: 4194304 kB\n"]).limit
        #expect(small?.bytes == 3 * Self.gib && small?.description == "3.00 GiB (machine memory 4.00 GiB less 1.00 GiB)")
    }

    @Test func cgroupV2NumberBelowTheMachine() {
        let limit = Self.probe(Self.with(Self.v2, [Self.v2Leaf: "8589934592\n"])).limit
        #expect(limit == MemoryLimit(bytes: 8 * Self.gib, source: .cgroupV2(file: Self.v2Leaf)))
        #expect(limit?.description == "8.00 GiB (cgroup memory.max)")
    }

    /// `max` is no limit; a parent's limit bounds its children.
    @Test func cgroupV2MaxAndParents() {
        #expect(Self.probe(Self.with(Self.v2, [Self.v2Leaf: "max\n"])).limit == Self.machine)
        let parent = "/sys/fs/cgroup/user.slice/memory.max"
        let limit = Self.probe(Self.with(Self.v2, [Self.v2Leaf: "max\n", parent: "4294967296\n",
                                                   "/sys/fs/cgroup/memory.max": "6442450944"])).limit
        #expect(limit == MemoryLimit(bytes: 4 * Self.gib, source: .cgroupV2(file: parent)))
    }

    /// Hybrid layouts mount cgroup2 elsewhere; a container sees its own cgroup as the mount's root.
    @Test func cgroupV2MountPointAndRootFromMountinfo() {
        let hybrid = ["/proc/self/cgroup": "4:memory:/\n0::/job\n",
                      "/proc/self/mountinfo": "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
                      "/sys/fs/cgroup/unified/job/memory.max": "2147483648\n"]
        #expect(Self.probe(hybrid).limit?.bytes == 2 * Self.gib)
        let container = ["/proc/self/cgroup": "0::/docker/abc\n",
                         "/proc/self/mountinfo": "500 400 0:30 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup rw\n",
                         "/sys/fs/cgroup/memory.max": "1073741824\n"]
        #expect(Self.probe(container).limit == MemoryLimit(bytes: Self.gib, source: .cgroupV2(file: "/sys/fs/cgroup/memory.max")))
        // No mountinfo: the usual place, /sys/fs/cgroup.
        let plain = ["/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": "3221225472"]
        #expect(Self.probe(plain).limit?.bytes == 3 * Self.gib)
    }

    /// cgroup v1: `memory.limit_in_bytes` of the memory controller's cgroup; about 2⁶³ means unlimited.
    @Test func cgroupV1() {
        let files = ["/proc/meminfo": Self.meminfo,
                     "/proc/self/cgroup": "9:name=systemd:/\n4:memory:/process_api/c5c8\n3:cpuset:/\n0::/\n",
                     "/proc/self/mountinfo": "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                         + "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n",
                     "/sys/fs/cgroup/memory/process_api/c5c8/memory.limit_in_bytes": "9223372036854771712\n",
                     "/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes": "6442450944\n",
                     "/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"]
        let limit = Self.probe(files).limit
        #expect(limit == MemoryLimit(bytes: 6 * Self.gib,
                                     source: .cgroupV1(file: "/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes")))
        #expect(limit?.description == "6.00 GiB (cgroup memory.limit_in_bytes)")
        var unlimited = files
        unlimited["/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes"] = "9223372036854771712"
        #expect(Self.probe(unlimited).limit == Self.machine)
    }

    /// Nothing to read: no limit, unless the fallback knows the machine or an rlimit is set.
    @Test func missingFiles() {
        #expect(Self.probe([:]).limit == nil)
        #expect(Self.probe([:]).candidates.isEmpty)
        #expect(Self.probe([:], physical: 8 * Self.gib).limit?.bytes == 8 * Self.gib - Self.gib)
        #expect(Self.probe(["/proc/self/cgroup": "0::/a/b\n"]).limit == nil)   // no memory.max anywhere
        #expect(Self.probe([:], rlimits: [.addressSpace: 1 << 33]).limit == MemoryLimit(bytes: 1 << 33, source: .addressSpace))
    }

    /// Garbled content is ignored (no limit from that file), never fatal.
    @Test func garbageIsIgnored() {
        let files = ["/proc/meminfo": "MemTotal: lots kB\nno colon here\n",
                     "/proc/self/cgroup": "garbage\n::\n0::relative/path\n7:memory\n0::/ok\n",
                     "/proc/self/mountinfo": "- - -\n1 2 3\n\n30 23 0:26 / - cgroup2\n",
                     "/sys/fs/cgroup/ok/memory.max": "12 GiB\n",
                     "/sys/fs/cgroup/memory.max": "-5\n"]
        let probe = Self.probe(files, physical: 16 * Self.gib)
        #expect(probe.machineBytes == 16 * Self.gib)                     // the fallback
        #expect(probe.limit == MemoryLimit(bytes: 16 * Self.gib - 16 * Self.gib / 10,
                                           source: .machine(totalBytes: 16 * Self.gib)))
        for text in ["", "max", "0", "-1", "1e9", "18446744073709551615", "0x1000", "\u{0}"] {
            #expect(Self.probe(["/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/memory.max": text]).limit == nil, "\(text)")
        }
    }

    /// RLIMIT_AS / RLIMIT_DATA: unlimited (nil) is ignored; the smaller one wins, and says which it is.
    @Test func resourceLimits() {
        let files = ["/proc/meminfo": Self.meminfo]
        #expect(Self.probe(files, rlimits: [:]).limit == Self.machine)
        let address = Self.probe(files, rlimits: [.addressSpace: 4 << 30]).limit
        #expect(address == MemoryLimit(bytes: 4 * Self.gib, source: .addressSpace))
        #expect(address?.description == "4.00 GiB (RLIMIT_AS)")
        let data = Self.probe(files, rlimits: [.addressSpace: 4 << 30, .dataSegment: 3 << 30]).limit
        #expect(data?.source == .dataSegment && data?.description == "3.00 GiB (RLIMIT_DATA)")
        // Above the machine: the machine still decides.
        #expect(Self.probe(files, rlimits: [.addressSpace: 1 << 40]).limit == Self.machine)
        // Every source at once: all listed, the smallest chosen.
        let all = Self.probe(Self.with(Self.v2, [Self.v2Leaf: "5368709120"]), rlimits: [.dataSegment: 6 << 30])
        #expect(all.candidates.map(\.bytes) == [Self.machine.bytes, 5 * Self.gib, 6 * Self.gib])
        #expect(all.limit?.bytes == 5 * Self.gib)
    }

    @Test func optionParsesSizes() {
        #expect(MemoryLimit(option: "16GiB") == .option(16 << 30))
        #expect(MemoryLimit(option: "16GiB")?.description == "16.00 GiB (--memory-limit)")
        #expect(MemoryLimit(option: "0") == nil && MemoryLimit(option: "lots") == nil)
    }

    #if os(Linux)
    /// This process on this machine: some limit, at most the machine's memory.
    @Test func thisProcess() throws {
        let limit = try #require(MemoryLimit.process)
        let machine = try #require(MemoryLimitProbe.system.machineBytes)
        #expect(limit.bytes > 0 && limit.bytes <= machine)
        #expect(MemoryLimitProbe.system.candidates.contains(limit))
    }
    #endif
}

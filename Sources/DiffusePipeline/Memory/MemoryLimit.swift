/// The most memory a run may use, in bytes, and which of the process's limits set it — printed as
/// `21.19 GiB (machine memory 23.54 GiB less 10 %)` or `8.00 GiB (cgroup memory.max)`.
///
/// The default (`MemoryLimit.process`) is the smallest limit `MemoryLimitProbe.system` finds: the
/// machine's memory less a margin, the cgroup's `memory.max` (v2) or `memory.limit_in_bytes` (v1), and
/// `RLIMIT_AS` / `RLIMIT_DATA`. `--memory-limit` (in `generate` and `bench`) replaces it. Predictions
/// (`MemoryModel`) are compared with it before anything is allocated (`MemoryModel.shortfall`).
public struct MemoryLimit: Sendable, Equatable, CustomStringConvertible {
    /// Where a limit comes from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// Given by the user: `--memory-limit`, or a library caller's own value.
        case option
        /// The machine's memory (`MemTotal` in /proc/meminfo) less `MemorySize.margin`.
        case machine(totalBytes: Int)
        /// cgroup v2 `memory.max` of this process's cgroup or one above it (the file read).
        case cgroupV2(file: String)
        /// cgroup v1 `memory.limit_in_bytes` of this process's memory cgroup or one above it.
        case cgroupV1(file: String)
        /// `getrlimit(RLIMIT_AS)` (`ulimit -v`): the address space.
        case addressSpace
        /// `getrlimit(RLIMIT_DATA)` (`ulimit -d`): the data segment, which counts anonymous mappings too.
        case dataSegment

        public var description: String {
            switch self {
            case .option: "--memory-limit"
            case .machine(let total):
                "machine memory \(MemorySize.format(total)) less "
                    + (total / 10 >= 1 << 30 ? "10%" : MemorySize.format(MemorySize.margin(machineBytes: total)))
            case .cgroupV2: "cgroup memory.max"
            case .cgroupV1: "cgroup memory.limit_in_bytes"
            case .addressSpace: "RLIMIT_AS"
            case .dataSegment: "RLIMIT_DATA"
            }
        }
    }

    public var bytes: Int
    public var source: Source

    public init(bytes: Int, source: Source) {
        self.bytes = bytes
        self.source = source
    }

    /// A user's limit (`--memory-limit`).
    public static func option(_ bytes: Int) -> MemoryLimit { MemoryLimit(bytes: bytes, source: .option) }

    /// `--memory-limit TEXT` (`16GiB`, `512MiB`, `2000000000`, see `MemorySize.parse`); nil when the text is
    /// not a positive size.
    public init?(option text: String) {
        guard let bytes = MemorySize.parse(text), bytes > 0 else { return nil }
        self.init(bytes: bytes, source: .option)
    }

    /// This process's limit, read once: the smallest that `MemoryLimitProbe.system` finds, nil when it
    /// finds none (no /proc, no cgroup or rlimit).
    public static let process: MemoryLimit? = MemoryLimitProbe.system.limit

    /// "21.19 GiB (machine memory 23.54 GiB less 10 %)".
    public var description: String { "\(MemorySize.format(bytes)) (\(source))" }
}

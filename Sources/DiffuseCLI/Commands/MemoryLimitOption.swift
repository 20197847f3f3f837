import ArgumentParser
import DiffusePipeline

/// `--memory-limit`, the same in `generate` and `bench <component>`: the memory the run may use, which
/// replaces the process's own limit (`MemoryLimit.process`: the smallest of machine memory less 10 %,
/// the cgroup's `memory.max` and `RLIMIT_AS` / `RLIMIT_DATA`). Runs predicted above it (MemoryModel.swift)
/// are refused before anything is allocated; benchmark cells are marked `oom`.
struct MemoryLimitOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Memory the run may use, e.g. 16GiB or 512MiB; a run or cell predicted above it is refused (generate) or marked oom (bench).",
        discussion: "Default: the smallest of machine memory less 10%, cgroup memory.max and RLIMIT_AS/DATA — here \(MemoryLimit.process?.description ?? "none found")."))
    var memoryLimit: String?

    /// The limit in force: `--memory-limit`, else the process's (nil when none is known).
    func limit() throws -> MemoryLimit? {
        guard let memoryLimit else { return MemoryLimit.process }
        guard let limit = MemoryLimit(option: memoryLimit) else {
            throw ValidationError("--memory-limit \(memoryLimit) is not a size like 16GiB, 512MiB or 2000000000")
        }
        return limit
    }
}

import DiffuseCore

/// The CPU implementation of `Backend`, on host memory. `execute` (`CPUBackend+Execute.swift`) sends each
/// op of the op list to its kernel; the kernels live in one file per op family (`CPUBackend+MatMul.swift`,
/// `CPUBackend+Conv2d.swift`, …) over the raw loops under `Kernels/`.
public struct CPUBackend: Backend {
    /// Threads its kernels use (nil: `Parallel.threadCount`, all cores unless set). Validated at construction.
    public let threads: Int?

    public init(threads: Int? = nil) {
        if let threads { precondition(threads >= 1, "CPUBackend: threads must be at least 1, got \(threads)") }
        self.threads = threads
    }

    public var name: String { "cpu" }
    public var device: any Device { HostDevice.shared }
}

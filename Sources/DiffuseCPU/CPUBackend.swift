import DiffuseCore

/// The CPU implementation of `Backend`, on host memory. `execute` (`CPUBackend+Execute.swift`) sends each
/// op of the op list to its kernel; the kernels live in one file per op family (`CPUBackend+MatMul.swift`,
/// `CPUBackend+Conv2d.swift`, …) over the raw loops under `Kernels/`.
public struct CPUBackend: Backend {
    public var name: String { "cpu" }
    public var device: any Device { HostDevice.shared }
    public init() {}
}

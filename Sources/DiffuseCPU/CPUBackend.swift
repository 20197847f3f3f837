import DiffuseCore

/// The CPU implementation of `Backend`. Its ops live in one file per op family (`CPUBackend+MatMul.swift`,
/// `CPUBackend+Conv2d.swift`, …); the raw kernels they call live under `Kernels/`.
public struct CPUBackend: Sendable {
    public var name: String { "cpu" }
    public init() {}
}

/// The ops are implemented in the `CPUBackend+*.swift` files.
extension CPUBackend: Backend {}

/// A compute backend: runs the ops of the one op list (`Op`) on tensors in its device's memory.
/// Layers, models, schedulers and pipelines call only this (through the typed calls of `Op.swift`, e.g.
/// `backend.conv2d(…)`), so they are written once for every device. The CPU backend
/// (`DiffuseCPU.CPUBackend`) implements it today; a CUDA backend is one more conformance.
///
/// Wrappers (profiling, graph capture for compile, the bf16 precision policy) are backends too: they
/// conform to `WrappingBackend`, intercept `execute` once for every op, and forward the rest.
public protocol Backend: Sendable {
    /// Short name for logs and benchmark output ("cpu").
    var name: String { get }

    /// Where this backend's tensors live. Results of `execute` are on it; host tensors reach it through
    /// `upload`, and come back through `Tensor.toHost()`.
    var device: any Device { get }

    /// Runs `op` on `inputs` (in the order the op lists, nil for an absent optional operand) and returns
    /// its result: a new contiguous tensor on `device`. A call this backend refuses (`refusals` non-empty)
    /// or an ill-formed one (shapes, dtypes) is a programming error and stops with a message naming the op.
    func execute(_ op: Op, _ inputs: [Tensor?]) -> Tensor

    /// Every reason this backend cannot run `op` on `inputs`, one line each; empty when it can (the
    /// capability query — e.g. the attention kernels' requirements, as PyTorch's `sdp_utils` filters).
    func refusals(_ op: Op, _ inputs: [Tensor?]) -> [String]
}

extension Backend {
    public func refusals(_ op: Op, _ inputs: [Tensor?]) -> [String] { [] }

    /// Whether this backend runs `op` on `inputs`.
    public func supports(_ op: Op, _ inputs: [Tensor?]) -> Bool { refusals(op, inputs).isEmpty }

    /// `host` (a tensor in host memory) copied to this backend's device; the host device returns it as
    /// is (no copy: memory-mapped weights stay mapped). One of the two ways bytes cross between host and
    /// device (the other is `Tensor.toHost()`).
    public func upload(_ host: Tensor) -> Tensor { device.upload(host) }
}

/// A backend that wraps another: it intercepts `execute` (profiling, capture, precision policy) and
/// forwards name, device and capability queries to `base` unless it says otherwise.
public protocol WrappingBackend: Backend {
    /// The backend this one forwards to.
    var base: any Backend { get }
}

extension WrappingBackend {
    public var name: String { base.name }
    public var device: any Device { base.device }
    public func refusals(_ op: Op, _ inputs: [Tensor?]) -> [String] { base.refusals(op, inputs) }
}

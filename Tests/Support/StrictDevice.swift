import DiffuseCore

/// A test device whose buffers refuse host access (`Storage.base` stops on them) except through the
/// transfer API, which it counts: the proof that models, schedulers and pipelines are written for every
/// device (the `StrictDevice` suite). Its memory is host memory behind the scenes (each buffer holds a
/// host `Storage` the device alone unwraps), so `StrictBackend` can run the wrapped backend's kernels.
public final class StrictDevice: Device, @unchecked Sendable {
    /// One transfer across the device boundary.
    public struct Transfer: Sendable, Equatable, CustomStringConvertible {
        public enum Direction: String, Sendable { case upload, download }
        public let direction: Direction
        public let dtype: DType
        public let shape: [Int]
        public var description: String { "\(direction.rawValue) \(dtype) \(shape)" }
    }

    private let lock = Lock()
    private var log: [Transfer] = []

    public init() {}

    public var name: String { "strict-test-device" }
    public var isHost: Bool { false }

    /// Every transfer so far, in order.
    public var transfers: [Transfer] { lock.withLock { log } }
    public func resetTransfers() { lock.withLock { log = [] } }

    public func upload(_ host: Tensor) -> Tensor {
        require(host.storage.device.isHost, "StrictDevice.upload: the tensor is not in host memory")
        lock.withLock { log.append(Transfer(direction: .upload, dtype: host.dtype, shape: host.shape)) }
        let copy = Tensor(uninitialized: host.shape, dtype: host.dtype)
        host.copyStrided(to: copy.rawPointer)
        return wrap(copy)
    }

    public func download(_ tensor: Tensor) -> Tensor {
        lock.withLock { log.append(Transfer(direction: .download, dtype: tensor.dtype, shape: tensor.shape)) }
        let view = unwrap(tensor)
        let copy = Tensor(uninitialized: view.shape, dtype: view.dtype)
        view.copyStrided(to: copy.rawPointer)
        return copy
    }

    /// A host tensor's storage made a buffer of this device (same shape, strides, offset). No transfer:
    /// for the backend's results only.
    func wrap(_ host: Tensor) -> Tensor {
        let storage = Storage(device: self, byteCount: host.storage.byteCount, buffer: host.storage)
        return Tensor(storage: storage, dtype: host.dtype, shape: host.shape, strides: host.strides, offset: host.offset)
    }

    /// The host view behind a tensor of this device. No transfer: for the backend's kernels only.
    func unwrap(_ tensor: Tensor) -> Tensor {
        require(tensor.storage.device === self, "StrictDevice: a tensor on \(tensor.storage.device.name), not this device")
        let inner = tensor.storage.buffer as! Storage
        return Tensor(storage: inner, dtype: tensor.dtype, shape: tensor.shape, strides: tensor.strides, offset: tensor.offset)
    }
}

/// A backend on a `StrictDevice`: runs every op with `base`'s kernels on the host memory behind the
/// device's buffers. An operand that is not on the device (a host tensor that skipped `upload`) stops
/// the run with a message naming the op.
public struct StrictBackend: Backend {
    public let base: any Backend
    public let strictDevice: StrictDevice

    public init(base: any Backend, device: StrictDevice = StrictDevice()) {
        self.base = base
        strictDevice = device
    }

    public var name: String { "strict(\(base.name))" }
    public var device: any Device { strictDevice }

    public func execute(_ op: Op, _ inputs: [Tensor?]) -> Tensor {
        strictDevice.wrap(base.execute(op, hostViews(op, inputs)))
    }

    public func refusals(_ op: Op, _ inputs: [Tensor?]) -> [String] {
        base.refusals(op, hostViews(op, inputs))
    }

    private func hostViews(_ op: Op, _ inputs: [Tensor?]) -> [Tensor?] {
        inputs.enumerated().map { i, t in
            t.map { t in
                require(t.storage.device === strictDevice,
                        "\(op.name): operand \(i) \(t.dtype) \(t.shape) is on \(t.storage.device.name), not the strict device (missing upload)")
                return strictDevice.unwrap(t)
            }
        }
    }
}

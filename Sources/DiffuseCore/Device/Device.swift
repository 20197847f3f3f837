/// Where tensor bytes live: host memory, or a device's memory (a GPU later; the test suite's strict
/// device). A `Storage` is a buffer on one device. Host code reads or writes a buffer's bytes only when
/// its device `isHost`; everything else crosses through `upload` / `download`, which a non-host device
/// implements as a copy (ggml's `set_tensor` / `get_tensor`).
public protocol Device: AnyObject, Sendable {
    /// Short name for messages ("host", "cuda:0").
    var name: String { get }

    /// Whether host code may address this device's buffers directly (`Storage.base`).
    var isHost: Bool { get }

    /// `host` (a tensor in host memory, any layout) as a tensor on this device with the same dtype,
    /// shape and elements (contiguous when copied). The host device returns `host` itself.
    func upload(_ host: Tensor) -> Tensor

    /// `tensor` (on this device, any layout) as a host tensor with the same dtype, shape and elements.
    func download(_ tensor: Tensor) -> Tensor
}

/// Host memory: what the CPU backend computes on and what files are mapped into. Transfers are
/// identities (nothing to copy).
public final class HostDevice: Device {
    /// The one host device.
    public static let shared = HostDevice()
    private init() {}

    public var name: String { "host" }
    public var isHost: Bool { true }

    public func upload(_ host: Tensor) -> Tensor {
        require(host.storage.device.isHost, "HostDevice.upload: the tensor is on \(host.storage.device.name), not the host")
        return host
    }

    public func download(_ tensor: Tensor) -> Tensor { tensor }
}

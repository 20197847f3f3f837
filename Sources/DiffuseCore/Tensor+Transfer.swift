/// The transfer API: the one way bytes cross between host memory and a device (with `Backend.upload`).
extension Tensor {
    /// The device holding this tensor's bytes.
    public var device: any Device { storage.device }

    /// This tensor in host memory: itself when it is there already, else a download (a copy) from its
    /// device.
    public func toHost() -> Tensor {
        storage.device.isHost ? self : storage.device.download(self)
    }
}

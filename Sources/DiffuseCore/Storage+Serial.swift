/// Storage serial numbers: every `Storage` gets the next one when it is created. The compiler
/// (`DiffuseCompile`) identifies the values of a captured graph by serial (an address or an
/// `ObjectIdentifier` can be reused once a storage is freed; a serial never is), and tells weights
/// (created before a capture began) from tensors made during the captured forward pass.
extension Storage {
    private static let serialLock = Lock()
    nonisolated(unsafe) private static var last: UInt64 = 0

    /// The serial of the most recently created storage (0 before any).
    public static var lastSerial: UInt64 { serialLock.withLock { last } }

    static func nextSerial() -> UInt64 {
        serialLock.withLock {
            last += 1
            return last
        }
    }
}

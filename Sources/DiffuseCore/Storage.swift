#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes behind one or more tensors — a buffer on a `Device`: host memory this process allocated
/// (64-byte aligned, zeroed), a read-only slice of a memory-mapped file kept alive as long as any tensor
/// refers to it, or a buffer in a non-host device's memory (`device`, `buffer`).
public final class Storage: @unchecked Sendable {
    public enum Kind: Sendable {
        /// Host memory this process allocated.
        case owned
        /// A slice of a memory-mapped file (read-only).
        case mapped
        /// Memory of a non-host device, reached only through its `Device`.
        case device
    }

    /// The device whose memory holds the bytes.
    public let device: any Device
    /// The device's own handle of the buffer (non-host devices); nil for host memory.
    public let buffer: AnyObject?
    @usableFromInline let hostBase: UnsafeMutableRawPointer?
    public let byteCount: Int
    public let kind: Kind
    /// A number no other storage of this process has (increasing in creation order): identifies the
    /// storage in a captured graph, and `serial > Storage.lastSerial` at some moment means "created after
    /// it" (see `Storage+Serial.swift`).
    public let serial: UInt64
    /// The file mapping this storage is a slice of (kept alive by it); nil for owned memory.
    public let mapping: MappedFile?

    /// Allocates `byteCount` bytes, 64-byte aligned, zeroed unless `zeroed` is false (for outputs a
    /// kernel overwrites entirely). Large blocks come from `HostAllocator` (transparent huge pages).
    public init(byteCount: Int, zeroed: Bool = true) {
        require(byteCount >= 0, "Storage: negative byte count \(byteCount)")
        let base = HostAllocator.allocate(byteCount: byteCount)
        hostBase = base
        serial = Storage.nextSerial()
        if zeroed { base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount) }
        self.byteCount = byteCount
        kind = .owned
        mapping = nil
        device = HostDevice.shared
        buffer = nil
    }

    /// A buffer of `byteCount` bytes in a non-host device's memory, `buffer` being the device's handle.
    /// The device frees the memory when `buffer` is released.
    public init(device: any Device, byteCount: Int, buffer: AnyObject) {
        require(!device.isHost, "Storage(device:): \(device.name) is a host device; use Storage(byteCount:)")
        require(byteCount >= 0, "Storage: negative byte count \(byteCount)")
        hostBase = nil
        serial = Storage.nextSerial()
        self.byteCount = byteCount
        kind = .device
        mapping = nil
        self.device = device
        self.buffer = buffer
    }

    /// Start of the bytes in host memory: host storages only (kernels of host backends, file I/O).
    /// Code above the backends never calls it — it reaches bytes through `Tensor.toHost()` and
    /// `Backend.upload`; on a non-host buffer it stops with a message saying so.
    @inlinable public var base: UnsafeMutableRawPointer {
        guard let hostBase else { Storage.refuseHostAccess(device) }
        return hostBase
    }

    @usableFromInline static func refuseHostAccess(_ device: any Device) -> Never {
        fatalError("host access to a buffer on \(device.name): copy it with Tensor.toHost() (the transfer API) first")
    }

    /// A view of `byteCount` bytes at `offset` inside a mapped file. Writing to it is a programming error.
    public init(mapping: MappedFile, offset: Int, byteCount: Int) {
        require(offset >= 0 && byteCount >= 0 && offset + byteCount <= mapping.byteCount,
                     "Storage: slice \(offset)..<\(offset + byteCount) outside mapped file of \(mapping.byteCount) bytes")
        hostBase = mapping.base + offset
        serial = Storage.nextSerial()
        self.byteCount = byteCount
        kind = .mapped
        self.mapping = mapping
        device = HostDevice.shared
        buffer = nil
    }

    deinit {
        if kind == .owned, let hostBase { HostAllocator.deallocate(hostBase, byteCount: byteCount) }
    }
}

/// A whole file mapped read-only into memory (`mmap`, `MAP_PRIVATE`). Unmapped when the last user goes.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let base: UnsafeMutableRawPointer
    public let byteCount: Int

    public enum MapError: Error, CustomStringConvertible {
        case cannotOpen(path: String, errno: Int32)
        case cannotMap(path: String, errno: Int32)
        public var description: String {
            switch self {
            case let .cannotOpen(path, e): "cannot open \(path): \(String(cString: strerror(e)))"
            case let .cannotMap(path, e): "cannot memory-map \(path): \(String(cString: strerror(e)))"
            }
        }
    }

    public init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw MapError.cannotOpen(path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw MapError.cannotOpen(path: path, errno: errno) }
        let size = Int(info.st_size)
        self.path = path
        byteCount = size
        if size == 0 {
            // mmap of zero bytes fails; an empty file is represented by a dummy one-byte allocation.
            base = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let address, address != MAP_FAILED else { throw MapError.cannotMap(path: path, errno: errno) }
        base = address
    }

    deinit {
        if byteCount == 0 { base.deallocate() } else { munmap(base, byteCount) }
    }
}

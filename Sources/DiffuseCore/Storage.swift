#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes behind one or more tensors: either memory this process allocated (64-byte aligned, zeroed),
/// or a read-only slice of a memory-mapped file that is kept alive as long as any tensor refers to it.
public final class Storage: @unchecked Sendable {
    public enum Kind: Sendable { case owned, mapped }

    /// Start of the bytes.
    public let base: UnsafeMutableRawPointer
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
        base = HostAllocator.allocate(byteCount: byteCount)
        serial = Storage.nextSerial()
        if zeroed { base.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount) }
        self.byteCount = byteCount
        kind = .owned
        mapping = nil
    }

    /// A view of `byteCount` bytes at `offset` inside a mapped file. Writing to it is a programming error.
    public init(mapping: MappedFile, offset: Int, byteCount: Int) {
        require(offset >= 0 && byteCount >= 0 && offset + byteCount <= mapping.byteCount,
                     "Storage: slice \(offset)..<\(offset + byteCount) outside mapped file of \(mapping.byteCount) bytes")
        base = mapping.base + offset
        serial = Storage.nextSerial()
        self.byteCount = byteCount
        kind = .mapped
        self.mapping = mapping
    }

    deinit {
        if kind == .owned { HostAllocator.deallocate(base, byteCount: byteCount) }
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Host memory for tensors. Small blocks: the system allocator, 64-byte aligned. Blocks of 2 MiB and
/// more: 2 MiB aligned and marked for transparent huge pages on Linux (`MADV_HUGEPAGE`).
///
/// Why: large blocks come straight from `mmap`, and their first touch page-faults once per 4 KiB page.
/// *Measured* here (2-core KVM guest): writing a fresh 64 MiB block took 83 ms with 4 KiB pages
/// (0.8 GB/s — slower than most kernels that fill it) and 14 ms with huge pages.
public enum HostAllocator {
    public static let hugePageSize = 2 << 20

    private static let lock = Lock()
    nonisolated(unsafe) private static var live = 0
    nonisolated(unsafe) private static var peak = 0
    /// Address ranges of arenas (see `registerArena`): freeing a block inside one is a no-op.
    nonisolated(unsafe) private static var arenas: [Range<UInt>] = []

    /// Bytes of tensor storage allocated and not yet freed.
    public static var liveBytes: Int { lock.withLock { live } }
    /// The most `liveBytes` has been since the last `resetPeak()` (benchmarks report it).
    public static var peakBytes: Int { lock.withLock { peak } }
    /// Starts a new peak measurement from the current live bytes.
    public static func resetPeak() { lock.withLock { peak = live } }

    private static func count(_ delta: Int) {
        lock.withLock {
            live += delta
            peak = max(peak, live)
        }
    }

    /// Declares `byteCount` bytes at `base` an arena whose blocks an `AllocationInterceptor` hands out:
    /// `deallocate` of a pointer inside it does nothing (the arena's owner frees it as a whole, after
    /// `unregisterArena`). Arena blocks are not counted in `liveBytes`; the arena itself is, when it
    /// came from `allocate`.
    public static func registerArena(_ base: UnsafeMutableRawPointer, byteCount: Int) {
        let start = UInt(bitPattern: base)
        lock.withLock { arenas.append(start ..< start + UInt(byteCount)) }
    }

    public static func unregisterArena(_ base: UnsafeMutableRawPointer) {
        let start = UInt(bitPattern: base)
        lock.withLock { arenas.removeAll { $0.lowerBound == start } }
    }

    public static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if let interceptor {
            if let pointer = interceptor.allocate(byteCount: byteCount) { return pointer }
            let pointer = allocateCounted(byteCount: byteCount)
            interceptor.didAllocate(pointer, byteCount: byteCount)
            return pointer
        }
        return allocateCounted(byteCount: byteCount)
    }

    /// Memory that outlives the call asking for it (kernel caches, scratch pools reused across calls):
    /// never handed out from an arena nor shown to an `AllocationInterceptor` — a compiled replay's arena
    /// is overwritten by the next replay, and a cache entry there would be silently corrupted — but
    /// counted in `liveBytes` / `peakBytes` like tensors. Free with `deallocatePersistent`.
    public static func allocatePersistent(byteCount: Int) -> UnsafeMutableRawPointer {
        allocateCounted(byteCount: byteCount)
    }

    public static func deallocatePersistent(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        count(-byteCount)
        #if os(Linux)
        if byteCount >= hugePageSize { free(pointer); return }
        #endif
        pointer.deallocate()
    }

    private static func allocateCounted(byteCount: Int) -> UnsafeMutableRawPointer {
        count(byteCount)
        #if os(Linux)
        if byteCount >= hugePageSize {
            var pointer: UnsafeMutableRawPointer? = nil
            let rounded = (byteCount + hugePageSize - 1) / hugePageSize * hugePageSize
            if posix_memalign(&pointer, hugePageSize, rounded) == 0, let pointer {
                _ = madvise(pointer, rounded, 14 /* MADV_HUGEPAGE */)
                return pointer
            }
            fatalError("out of memory: could not allocate \(byteCount) bytes for a tensor")
        }
        #endif
        return UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
    }

    public static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        interceptor?.willDeallocate(pointer, byteCount: byteCount)
        let address = UInt(bitPattern: pointer)
        let inArena = lock.withLock { () -> Bool in
            if !arenas.isEmpty && arenas.contains(where: { $0.contains(address) }) { return true }
            live -= byteCount
            return false
        }
        if inArena { return }
        #if os(Linux)
        if byteCount >= hugePageSize { free(pointer); return }
        #endif
        pointer.deallocate()
    }
}

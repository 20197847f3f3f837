import DiffuseCore

/// One replay's allocator: the k-th allocation gets its planned place in the arena if its size is the
/// recorded one and no arena block it would overlap is still live; otherwise the sequence has diverged and
/// this and every later allocation of the replay come from `HostAllocator` (correct, just not planned).
final class ArenaReplay: AllocationInterceptor, @unchecked Sendable {
    let arena: Arena
    private var next = 0
    private(set) var diverged = false
    /// Allocations served from the arena / left to `HostAllocator` in this replay.
    private(set) var served = 0
    private(set) var declined = 0
    /// Live arena blocks: start address → end address.
    private var live: [UInt: UInt] = [:]

    init(_ arena: Arena) { self.arena = arena }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        guard !diverged else { return nil }
        let k = next
        next += 1
        guard k < arena.sizes.count, arena.sizes[k] == byteCount else { diverged = true; return nil }
        guard let offset = arena.offsets[k] else { return nil }
        let start = UInt(bitPattern: arena.base) + UInt(offset), end = start + UInt(max(byteCount, 1))
        if live.contains(where: { $0.key < end && start < $0.value }) { diverged = true; return nil }
        live[start] = end
        served += 1
        return arena.base + offset
    }

    func didAllocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) { declined += 1 }

    func willDeallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        live.removeValue(forKey: UInt(bitPattern: pointer))
    }
}

import DiffuseCore

/// The memory of a compiled graph's intermediates: one block (from `HostAllocator`, so it counts in
/// `liveBytes` and gets huge pages), registered so that freeing a tensor inside it is a no-op, and the
/// plan: the offset of the k-th allocation of a replay. Serves replays through `ArenaReplay`.
final class Arena: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int
    /// Per allocation of the recorded sequence: its size and its offset (nil: allocated normally).
    let sizes: [Int]
    let offsets: [Int?]

    init(blocks: [ArenaPlanner.Block]) {
        let (offsets, bytes) = ArenaPlanner.plan(blocks)
        byteCount = max(bytes, 64)
        base = HostAllocator.allocate(byteCount: byteCount)
        HostAllocator.registerArena(base, byteCount: byteCount)
        sizes = blocks.map(\.size)
        self.offsets = offsets
    }

    deinit {
        HostAllocator.unregisterArena(base)
        HostAllocator.deallocate(base, byteCount: byteCount)
    }
}

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

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

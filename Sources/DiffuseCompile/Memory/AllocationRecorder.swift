import DiffuseCore

/// Records the allocation sequence of one replay on the replay thread: each block's size and its
/// lifetime in ticks of one clock counting allocations and frees. Blocks still live at the end have no end.
final class AllocationRecorder: AllocationInterceptor, @unchecked Sendable {
    private(set) var blocks: [ArenaPlanner.Block] = []
    private var clock = 0
    private var live: [UInt: Int] = [:]

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer? { nil }

    func didAllocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        live[UInt(bitPattern: pointer)] = blocks.count
        blocks.append(ArenaPlanner.Block(size: byteCount, start: clock, end: nil))
        clock += 1
    }

    func willDeallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        guard let index = live.removeValue(forKey: UInt(bitPattern: pointer)) else { return }
        blocks[index].end = clock
        clock += 1
    }
}

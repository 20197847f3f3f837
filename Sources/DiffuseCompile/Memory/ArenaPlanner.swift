/// Places blocks with known lifetimes in one arena: greedy by size (largest first), each at the lowest
/// offset where it overlaps no already placed block that is live at the same time (first fit). Blocks
/// never freed (`end == nil`: the result, or whatever outlives the replay) get no offset.
public enum ArenaPlanner {
    /// One allocation: `size` bytes, live over clock ticks [start, end).
    public struct Block: Sendable, Equatable {
        public var size: Int
        public var start: Int
        public var end: Int?
        public init(size: Int, start: Int, end: Int?) {
            self.size = size
            self.start = start
            self.end = end
        }

        func overlapsInTime(_ other: Block) -> Bool {
            guard let end, let otherEnd = other.end else { return true }
            return start < otherEnd && other.start < end
        }
    }

    /// Offsets (nil: not in the arena) and the arena size; offsets and sizes rounded up to `alignment`.
    public static func plan(_ blocks: [Block], alignment: Int = 64) -> (offsets: [Int?], arenaBytes: Int) {
        func rounded(_ n: Int) -> Int { (max(n, 1) + alignment - 1) / alignment * alignment }
        let order = blocks.indices.filter { blocks[$0].end != nil }
            .sorted { (blocks[$0].size, blocks[$1].start) > (blocks[$1].size, blocks[$0].start) }
        var offsets = [Int?](repeating: nil, count: blocks.count)
        var placed: [Int] = []
        var arena = 0
        for i in order {
            let size = rounded(blocks[i].size)
            // Address ranges of placed blocks alive at the same time, by offset.
            let busy = placed.filter { blocks[$0].overlapsInTime(blocks[i]) }
                .map { (offsets[$0]!, offsets[$0]! + rounded(blocks[$0].size)) }
                .sorted { $0.0 < $1.0 }
            var candidate = 0
            for (lo, hi) in busy {
                if candidate + size <= lo { break }
                candidate = max(candidate, hi)
            }
            offsets[i] = candidate
            placed.append(i)
            arena = max(arena, candidate + size)
        }
        return (offsets, arena)
    }
}

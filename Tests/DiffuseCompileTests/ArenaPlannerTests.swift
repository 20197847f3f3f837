import DiffuseCore
import DiffuseTestSupport
import Testing
@testable import DiffuseCompile

@Suite struct ArenaPlannerTests {
    /// Any two blocks live at the same time occupy disjoint address ranges.
    static func checkNoOverlap(_ blocks: [ArenaPlanner.Block], _ offsets: [Int?], arena: Int) {
        for i in blocks.indices {
            guard let oi = offsets[i] else { continue }
            #expect(oi % 64 == 0 && oi + blocks[i].size <= arena)
            for j in blocks.indices where j > i {
                guard let oj = offsets[j], blocks[i].start < blocks[j].end!, blocks[j].start < blocks[i].end! else { continue }
                let disjoint = oi + blocks[i].size <= oj || oj + blocks[j].size <= oi
                #expect(disjoint, "blocks \(i) and \(j) are live together and overlap")
            }
        }
    }

    @Test func randomLifetimesNeverOverlap() {
        var random = TestRandom(seed: 42)
        for _ in 0..<20 {
            // A replay-like sequence: allocations and frees on one clock.
            var blocks: [ArenaPlanner.Block] = []
            var live: [Int] = []
            for tick in 0..<400 {
                if live.isEmpty || random.next() % 3 != 0 {
                    live.append(blocks.count)
                    blocks.append(.init(size: Int(random.next() % 100_000) + 1, start: tick, end: nil))
                } else {
                    let k = Int(random.next() % UInt64(live.count))
                    blocks[live.remove(at: k)].end = tick
                }
            }
            let (offsets, arena) = ArenaPlanner.plan(blocks)
            Self.checkNoOverlap(blocks, offsets, arena: arena)
            // Blocks never freed are left out of the arena.
            for i in live { #expect(offsets[i] == nil) }
            // The arena is at least the largest moment's live bytes and at most all bytes together.
            let total = blocks.indices.filter { offsets[$0] != nil }.reduce(0) { $0 + (blocks[$1].size + 63) / 64 * 64 }
            #expect(arena <= total)
        }
    }

    @Test func sequentialBlocksShareMemory() {
        // a [0, 2), b [1, 3), c [2, 4): a and c can share; b cannot share with either.
        let blocks: [ArenaPlanner.Block] = [.init(size: 1000, start: 0, end: 2), .init(size: 500, start: 1, end: 3),
                                            .init(size: 1000, start: 2, end: 4)]
        let (offsets, arena) = ArenaPlanner.plan(blocks)
        #expect(offsets[0] == offsets[2])
        #expect(arena == 1024 + 512)
        Self.checkNoOverlap(blocks, offsets, arena: arena)
    }
}

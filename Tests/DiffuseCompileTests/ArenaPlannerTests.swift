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

/// Replays served from a plan: the k-th allocation gets its offset; a sequence that leaves the plan falls
/// back to the normal allocator instead of handing out memory that may still be in use.
@Suite struct ArenaReplayTests {
    // Recorded: a [0, 1) then b [2, 3) — they may share offset 0 — and c never freed (not in the arena).
    let blocks: [ArenaPlanner.Block] = [.init(size: 4096, start: 0, end: 1), .init(size: 4096, start: 2, end: 3),
                                        .init(size: 100, start: 4, end: nil)]

    @Test func plannedSequenceIsServedFromTheArena() {
        let arena = Arena(blocks: blocks)
        #expect(arena.offsets == [0, 0, nil] && arena.byteCount == 4096)
        let replay = ArenaReplay(arena)
        let a = replay.allocate(byteCount: 4096)
        #expect(a == arena.base)
        replay.willDeallocate(a!, byteCount: 4096)
        #expect(replay.allocate(byteCount: 4096) == arena.base)
        #expect(replay.allocate(byteCount: 100) == nil)              // outlives the replay: malloc
        #expect(!replay.diverged)
    }

    @Test func sizeMismatchFallsBackForTheRest() {
        let replay = ArenaReplay(Arena(blocks: blocks))
        #expect(replay.allocate(byteCount: 2048) == nil)
        #expect(replay.diverged)
        #expect(replay.allocate(byteCount: 4096) == nil)
    }

    @Test func stillLiveBlockIsNeverHandedOutTwice() {
        let arena = Arena(blocks: blocks)
        let replay = ArenaReplay(arena)
        #expect(replay.allocate(byteCount: 4096) == arena.base)
        // a was not freed this time (the replay differs from the recording): b must not get its memory.
        #expect(replay.allocate(byteCount: 4096) == nil)
        #expect(replay.diverged)
    }

    @Test func freeingInsideTheArenaDoesNotFreeOrCount() {
        let arena = Arena(blocks: blocks)
        let storage = HostAllocator.intercepting(ArenaReplay(arena)) { Storage(byteCount: 4096) }
        #expect(storage.base == arena.base)
        // Dropping it (HostAllocator.deallocate of an arena pointer) must be a no-op, then the arena goes.
    }
}

import DiffuseCore

/// Scratch buffers of `WinogradConv` (transformed weights U, blocks of V and M) kept between calls.
///
/// Why: a freshly allocated block page-faults on first touch, once per page. Per call that cost as much
/// as the work itself (an uncached 1280² F(2×2) weight transform, 105 MB: 50–70 ms on a busy machine,
/// at ≈ 1.5–2 GB/s); reused memory is written at cache/memory speed.
/// Bounded: at most `keep` free buffers of at most `keepFloats` floats in all are held (the largest that
/// fit); larger ones are freed when handed back. 32 MiB holds a call's V and M blocks (≤ 16 MiB together,
/// `WinogradConv.blockBudgetBytes`) and the transformed weights of the uncached small layers, without
/// keeping a large layer's U resident between calls (the model benchmark's memory limits count RSS).
/// Memory comes from `HostAllocator` (2 MiB pages, counted in its live bytes).
final class WinogradScratchPool: @unchecked Sendable {
    static let shared = WinogradScratchPool(keep: 3, keepFloats: 8 << 20)

    let keep: Int
    let keepFloats: Int
    private var free: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []
    private let lock = Lock()

    init(keep: Int, keepFloats: Int) {
        self.keep = keep
        self.keepFloats = keepFloats
    }

    /// A buffer of at least `count` floats (contents undefined) and its capacity, to hand back with `give`.
    func take(_ count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        let reused: (pointer: UnsafeMutablePointer<Float>, capacity: Int)? = lock.withLock {
            // The smallest free buffer that is large enough.
            guard let i = free.indices.filter({ free[$0].capacity >= count })
                .min(by: { free[$0].capacity < free[$1].capacity }) else { return nil }
            return free.remove(at: i)
        }
        return reused ?? (WinogradConv.allocateScratch(count), count)
    }

    /// Returns a buffer from `take`; keeps the largest held buffers within `keep` and `keepFloats`.
    func give(_ buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)) {
        let dropped: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = lock.withLock {
            free.append(buffer)
            free.sort { $0.capacity > $1.capacity }
            var kept: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = [], extra = kept, total = 0
            for b in free {
                if kept.count < keep && total + b.capacity <= keepFloats {
                    kept.append(b)
                    total += b.capacity
                } else {
                    extra.append(b)
                }
            }
            free = kept
            return extra
        }
        for buffer in dropped { WinogradConv.freeScratch(buffer.pointer, buffer.capacity) }
    }
}

import DiffuseCore

/// Scratch buffers of `WinogradConv` (transformed weights U, blocks of V and M) kept between calls.
///
/// Why: a freshly allocated block page-faults on first touch, once per page. Per call that cost as much
/// as the work itself (an uncached 1280² F(2×2) weight transform, 105 MB: 50–70 ms on a busy machine,
/// at ≈ 1.5–2 GB/s); reused memory is written at cache/memory speed.
/// Bounded: at most `keep` free buffers are held (the largest ones), each no larger than the largest
/// buffer any call asked for. Memory comes from `HostAllocator` (2 MiB pages, counted in its live bytes).
final class WinogradScratchPool: @unchecked Sendable {
    static let shared = WinogradScratchPool(keep: 3)

    let keep: Int
    private var free: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []
    private let lock = Lock()

    init(keep: Int) { self.keep = keep }

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

    /// Returns a buffer from `take`; frees the smallest held buffers beyond `keep`.
    func give(_ buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)) {
        let dropped: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = lock.withLock {
            free.append(buffer)
            free.sort { $0.capacity > $1.capacity }
            let extra = Array(free.dropFirst(keep))
            free.removeLast(extra.count)
            return extra
        }
        for buffer in dropped { WinogradConv.freeScratch(buffer.pointer, buffer.capacity) }
    }
}

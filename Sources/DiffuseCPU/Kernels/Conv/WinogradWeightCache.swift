import DiffuseCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Transformed weights (`WinogradWeightTransform`) kept across calls, for the layers where transforming
/// them every call costs a large share of the convolution (few tiles against many channels: the UNet's
/// 1280-channel levels). A model's weights are constant, so each is transformed once.
///
/// Keyed by the weight's storage object (held weakly: an entry whose weight has been freed is dropped at the
/// next call), its element offset and shape, and the variant. Bounded: entries are added
/// only while the cache holds at most `budgetBytes` (environment `DIFFUSE_WINOGRAD_CACHE_MB`, default
/// 128; 0 disables it). Measured, SD 1.5 UNet f32 512² batch 1, flash, quiet machine, median of 3
/// (`DIFFUSE_WINOGRAD_CACHE_MB=… diffuse bench unet --size 512 --batch 1 --attention flash`): 0 / 128 /
/// 256 / 512 MiB took 5.47 / 5.25 / 5.31 / 5.79 s — no trend above the noise — with peak RSS 4.00 /
/// 4.10 / 4.24 / 4.49 GiB; 128 keeps the "weights + 1 GB" peak (4.13 GiB). Nothing is evicted to
/// make room, so a model larger than the budget keeps a
/// stable set of cached layers instead of thrashing. A weight changed in place since it was transformed
/// is caught by a fingerprint (64 sampled values) and transformed again.
final class WinogradWeightCache: @unchecked Sendable {
    struct Key: Hashable {
        let storage: ObjectIdentifier
        let offset: Int
        let shape: [Int]
        let dtype: DType
        let m: Int
    }

    /// One transformed weight: α² matrices [Cout, Cin]; freed when the last user lets go of it.
    final class Entry: @unchecked Sendable {
        weak var storage: Storage?
        let u: UnsafeMutablePointer<Float>
        let count: Int
        let fingerprint: [UInt32]
        init(storage: Storage, count: Int, fingerprint: [UInt32]) {
            self.storage = storage
            self.count = count
            self.fingerprint = fingerprint
            u = WinogradConv.allocateScratch(count)
        }
        deinit { WinogradConv.freeScratch(u, count) }
    }

    static let shared = WinogradWeightCache(
        budgetBytes: (getenv("DIFFUSE_WINOGRAD_CACHE_MB").map { Int(atoi($0)) } ?? 128) << 20)

    let budgetBytes: Int
    private var entries: [Key: Entry] = [:]
    private var usedBytes = 0
    private let lock = Lock()

    init(budgetBytes: Int) { self.budgetBytes = budgetBytes }

    /// The cached transform of `weight` for `variant`, computing and adding it if it fits the budget;
    /// nil when it does not (the caller transforms into scratch of its own).
    func transformed(_ weight: Tensor, f32 w: UnsafePointer<Float>, variant: WinogradVariant) -> Entry? {
        if budgetBytes <= 0 { return nil }
        let cout = weight.shape[0], cin = weight.shape[1]
        let count = variant.alpha * variant.alpha * cout * cin, bytes = count * MemoryLayout<Float>.size
        let key = Key(storage: ObjectIdentifier(weight.storage), offset: weight.offset, shape: weight.shape,
                      dtype: weight.dtype, m: variant.m)
        let fingerprint = Self.fingerprint(w, count: cout * cin * 9)
        let found: Entry? = lock.withLock {
            dropDeadEntries()
            if let entry = entries[key] {
                if entry.storage === weight.storage && entry.fingerprint == fingerprint { return entry }
                usedBytes -= entry.count * MemoryLayout<Float>.size  // changed, or a freed weight's address reused
                entries[key] = nil
            }
            return nil
        }
        if let found { return found }
        if !reserve(bytes) { return nil }
        let entry = Entry(storage: weight.storage, count: count, fingerprint: fingerprint)
        WinogradWeightTransform.run(variant, weight: .f32(StridedMatrix(base: w, rowStride: cin * 9, columnStride: 1)),
                                    outChannels: cout, inChannels: cin, u: entry.u)
        lock.withLock {
            if entries[key] == nil { entries[key] = entry } else { usedBytes -= bytes }
        }
        return entry
    }

    /// 64 values spread over the weight, as bits.
    static func fingerprint(_ w: UnsafePointer<Float>, count: Int) -> [UInt32] {
        (0..<64).map { w[$0 * (count - 1) / 63].bitPattern }
    }

    /// Frees the entries whose weight is gone (call with the lock held).
    private func dropDeadEntries() {
        for (key, entry) in entries where entry.storage == nil {
            usedBytes -= entry.count * MemoryLayout<Float>.size
            entries[key] = nil
        }
    }

    /// Counts `bytes` against the budget if they fit, after dropping entries whose weight is gone.
    private func reserve(_ bytes: Int) -> Bool {
        lock.withLock {
            dropDeadEntries()
            if usedBytes + bytes > budgetBytes { return false }
            usedBytes += bytes
            return true
        }
    }
}

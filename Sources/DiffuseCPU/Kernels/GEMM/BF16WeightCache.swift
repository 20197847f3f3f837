import DiffuseCore

/// Weights packed once for the bf16 kernel (`BF16PackedMatrix`), kept per weight tensor so that eager calls
/// (`GEMM.bf16Linear`, `BF16Convolution.run`) never repack them: at the UNet's small levels
/// (8² latents, M = 128) repacking a 1280 × 1280 weight per call costs ≈ 30–40 % of the product.
///
/// Key: the tensor's storage (by identity, held weakly: an entry dies with its weight and is never
/// matched by a new storage at the same address), offset, shape, strides, the packed role (A or B panels,
/// transposed) and kc. The packed copy is the weight's size again (bf16): ≈ 1.7 GB for the SD 1.5 UNet.
/// When a new packing does not fit in `capacityBytes` (after dropping the packings of freed weights), it is
/// used for that call and not kept: the entries already cached stay. A model sweeps its weights in the
/// same order every step, so evicting the least recently used would make every access of a model larger
/// than the capacity miss (each entry evicted just before its next use — SDXL's UNet packs to 5.1 GB
/// against the 4 GiB default); keeping the first ones hits on capacity / model size of them. The packing
/// of a freed weight is released at the next miss or within 256 calls, so a model dropped for another
/// frees its room.
/// Weights must not be written in place after their first use (a cached packing would be
/// stale): call `removeAll()` after doing so. Thread-safe.
public final class BF16WeightCache: @unchecked Sendable {
    /// The cache the backends use.
    public static let shared = BF16WeightCache()

    private struct Key: Hashable {
        let storage: ObjectIdentifier
        let offset: Int
        let shape: [Int]
        let strides: [Int]
        let role: String
        let kc: Int
    }

    private final class Entry {
        weak var storage: Storage?
        let matrix: BF16PackedMatrix
        var lastUse: UInt64
        init(storage: Storage, matrix: BF16PackedMatrix, lastUse: UInt64) {
            self.storage = storage
            self.matrix = matrix
            self.lastUse = lastUse
        }
    }

    private let lock = Lock()
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    private var limit: Int

    /// Bytes of packed weights kept at most (default 4 GiB); 0 disables caching.
    public var capacityBytes: Int {
        get { lock.withLock { limit } }
        set { lock.withLock { limit = max(0, newValue); evict(toFit: 0) } }
    }

    public init(capacityBytes: Int = 4 << 30) { limit = capacityBytes }

    /// Bytes of packed weights held now.
    public var bytes: Int { lock.withLock { liveBytes } }
    /// Weights held now.
    public var count: Int { lock.withLock { entries.values.filter { $0.storage != nil }.count } }

    /// Drops every entry.
    public func removeAll() { lock.withLock { entries.removeAll() } }

    /// The packing of `tensor` in `role`, made by `pack` on a miss (outside the lock).
    func matrix(for tensor: Tensor, role: String, kc: Int, pack: () -> BF16PackedMatrix) -> BF16PackedMatrix {
        let key = Key(storage: ObjectIdentifier(tensor.storage), offset: tensor.offset, shape: tensor.shape,
                      strides: tensor.strides, role: role, kc: kc)
        let hit: BF16PackedMatrix? = lock.withLock {
            clock += 1
            // Packings of freed weights are released within 256 calls even when nothing new is cached.
            if clock % 256 == 0 { entries = entries.filter { $0.value.storage != nil } }
            guard let entry = entries[key], entry.storage === tensor.storage else { return nil }
            entry.lastUse = clock
            return entry.matrix
        }
        if let hit { return hit }
        let matrix = pack()
        lock.withLock {
            if liveBytes + matrix.byteCount > limit {
                entries = entries.filter { $0.value.storage != nil }   // a full cache: free the dead first
                guard liveBytes + matrix.byteCount <= limit else { return }
            }
            clock += 1
            entries[key] = Entry(storage: tensor.storage, matrix: matrix, lastUse: clock)
        }
        return matrix
    }

    private var liveBytes: Int {
        entries.values.reduce(0) { $0 + ($1.storage == nil ? 0 : $1.matrix.byteCount) }
    }

    /// Drops dead entries, then the least recently used until `extra` more bytes fit (a lowered capacity).
    /// Call under the lock.
    private func evict(toFit extra: Int) {
        entries = entries.filter { $0.value.storage != nil }
        var total = liveBytes
        while total + extra > limit, let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            total -= oldest.value.matrix.byteCount
            entries[oldest.key] = nil
        }
    }
}

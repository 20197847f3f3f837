import DiffuseCore

/// Tiled attention with an online softmax (FlashAttention-2's loop order) on the CPU.
///
/// Shapes: q [B, H, Lq, D], k [B, H, Lkv, D], v [B, H, Lkv, Dv] (any strides, f32 / f16 / bf16), optional
/// mask broadcast to [B, H, Lq, Lkv]; out [B, H, Lq, Dv] (f32 or the input dtype), contiguous.
///
/// Work: one task per (b, h, tile of `queryTile` queries), spread over `Parallel`. Per task, for each block of
/// `keyBlock` keys: Sᵀ = K·Qᵀ (keys × queries, so every softmax statistic is a vector over queries: no
/// horizontal reductions), mask / causal / padding to −∞, running max m, P = 2^(S − m), l = l·α + ΣP with
/// α = 2^(m_old − m), Oᵀ = α·Oᵀ + Vᵀ·P. q is pre-scaled by scale·log₂e so the exponentials are base 2.
/// Keys past the causal diagonal are skipped block-wise. A fully masked row gives 0.
///
/// Memory: per thread `Scratch` (Qᵀ tile, one packed K and V block, the score block, Oᵀ and m, l):
/// 175 KiB at head dim 40, 162 KiB at 80, 189 KiB at 160 — independent of Lq and Lkv (`scratchBytes`).
/// Nothing of size Lq × Lkv exists. f32 K / V with unit stride (and Dv % 4 == 0 for V) are read in place.
enum FlashAttention {
    /// Queries per tile: three groups of 24 (3 × SIMD8, the micro-kernels' width).
    static let queryTile = 72
    static let groupWidth = 24
    /// Keys per block (a multiple of 4, the micro-kernels' height): `keyBlockBudget` floats of K per
    /// block, between 64 and 256 keys (256 at head dim 40, 128 at 80, 64 at 160).
    static func keyBlock(headDim: Int) -> Int {
        min(256, max(64, keyBlockBudget / max(headDim, 1) / 4 * 4))
    }
    static let keyBlockBudget = 10240
    static let log2e: Float = 1.442_695_040_888_963_4

    /// The scratch one thread uses, in floats, laid out as [Qᵀ | K block | V block | Sᵀ | Oᵀ | m | l].
    struct Scratch {
        let headDim: Int, valueDim: Int, paddedValueDim: Int, keyBlock: Int
        var qt: Int { 0 }                                               // [D][queryTile]
        var k: Int { qt + headDim * queryTile }                         // [keyBlock][D]
        var v: Int { k + keyBlock * headDim }                           // [keyBlock][Dv padded to 4]
        var s: Int { v + keyBlock * paddedValueDim }                    // [keyBlock][queryTile]
        var o: Int { s + keyBlock * queryTile }                         // [Dv padded][queryTile]
        var m: Int { o + paddedValueDim * queryTile }                   // [queryTile]
        var l: Int { m + queryTile }                                    // [queryTile]
        var floats: Int { l + queryTile }

        init(headDim: Int, valueDim: Int) {
            self.headDim = headDim
            self.valueDim = valueDim
            paddedValueDim = (valueDim + 3) / 4 * 4
            keyBlock = FlashAttention.keyBlock(headDim: max(headDim, valueDim))
        }
    }

    /// Threads the kernel would use for `problem`.
    static func threads(for problem: AttentionProblem) -> Int {
        let tasks = problem.batch * problem.heads * ((problem.qLength + queryTile - 1) / queryTile)
        return max(1, min(Parallel.threadCount, tasks))
    }

    /// Peak extra bytes: one `Scratch` per running thread. Independent of Lq and Lkv.
    static func scratchBytes(_ problem: AttentionProblem) -> Int {
        threads(for: problem) * Scratch(headDim: problem.headDim, valueDim: problem.valueDim).floats * 4
    }

    /// Computes `problem` into `out` ([B, H, Lq, Dv], allocated by the caller).
    static func run(_ problem: AttentionProblem, into out: Tensor) {
        let b = problem.batch, h = problem.heads, lq = problem.qLength
        let tiles = (lq + queryTile - 1) / queryTile
        let tasks = b * h * tiles
        if tasks == 0 || problem.valueDim == 0 { return }
        let context = Context(problem, out: out)
        Parallel.forRanges(tasks, oversubscribe: 16) { range in
            let layout = Scratch(headDim: problem.headDim, valueDim: problem.valueDim)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: layout.floats)
            scratch.initialize(repeating: 0, count: layout.floats)
            defer { scratch.deallocate() }
            for t in range {
                let bh = t / tiles, tile = t % tiles
                context.runTile(b: bh / h, h: bh % h, i0: tile * queryTile, scratch: scratch, layout: layout)
            }
        }
    }

    /// Everything a tile needs, read once per call.
    struct Context: @unchecked Sendable {
        let q: AttentionOperand, k: AttentionOperand, v: AttentionOperand, out: AttentionOperand
        let mask: AttentionMaskReader?
        let lq: Int, lkv: Int, d: Int, dv: Int
        let qFactor: Float
        let isCausal: Bool
        /// K / V blocks can be read in place (f32, unit stride; V also needs Dv % 4 == 0).
        let kInPlace: Bool, vInPlace: Bool

        init(_ p: AttentionProblem, out: Tensor) {
            q = AttentionOperand(p.q)
            k = AttentionOperand(p.k)
            v = AttentionOperand(p.v)
            self.out = AttentionOperand(out)
            mask = AttentionMaskReader(p)
            lq = p.qLength
            lkv = p.kvLength
            d = p.headDim
            dv = p.valueDim
            qFactor = p.effectiveScale * FlashAttention.log2e
            isCausal = p.isCausal
            kInPlace = k.dtype == .f32 && k.columnStride == 1
            vInPlace = v.dtype == .f32 && v.columnStride == 1 && dv % 4 == 0
        }

        func runTile(b: Int, h: Int, i0: Int, scratch: UnsafeMutablePointer<Float>, layout: Scratch) {
            let br = FlashAttention.queryTile, bc = layout.keyBlock
            let rows = min(br, lq - i0)
            // Query columns computed: whole 24-query groups that hold rows (a short last tile skips the rest).
            let active = (rows + FlashAttention.groupWidth - 1) / FlashAttention.groupWidth * FlashAttention.groupWidth
            let dvp = layout.paddedValueDim
            let qt = scratch + layout.qt, kb = scratch + layout.k, vb = scratch + layout.v
            let s = scratch + layout.s, o = scratch + layout.o, m = scratch + layout.m, l = scratch + layout.l

            // Qᵀ, pre-scaled; the columns of missing queries are zero.
            if rows < br { qt.update(repeating: 0, count: d * br) }
            if q.dtype == .f32 {
                // Column by column: strided loads (the tile's q rows stay in L1), contiguous stores.
                let rs = q.rowStride, cs = q.columnStride, factor = qFactor
                let base = UnsafePointer(q.floats(b, h) + i0 * rs)
                for t in 0..<d {
                    let dst = qt + t * br, src = base + t * cs
                    for r in 0..<rows { dst[r] = src[r &* rs] * factor }
                }
            } else {
                for r in 0..<rows { q.loadRow(b, h, i0 + r, count: d, factor: qFactor, into: qt + r, step: br) }
            }
            o.update(repeating: 0, count: dvp * br)
            m.update(repeating: -.infinity, count: br)
            l.update(repeating: 0, count: br)

            let kvEnd = isCausal ? min(lkv, i0 + rows) : lkv
            var j0 = 0
            while j0 < kvEnd {
                let n = min(bc, kvEnd - j0)
                let np = (n + 3) / 4 * 4
                // K block: in place when possible, else packed [np][d] (f32, padding rows zero).
                let kPtr: UnsafePointer<Float>, ldk: Int
                if kInPlace && n == np {
                    kPtr = UnsafePointer(k.floats(b, h) + j0 * k.rowStride)
                    ldk = k.rowStride
                } else {
                    for c in 0..<n { k.loadRow(b, h, j0 + c, count: d, factor: 1, into: kb + c * d, step: 1) }
                    if np > n { (kb + n * d).update(repeating: 0, count: (np - n) * d) }
                    kPtr = UnsafePointer(kb)
                    ldk = d
                }
                let vPtr: UnsafePointer<Float>, ldv: Int
                if vInPlace && n == np {
                    vPtr = UnsafePointer(v.floats(b, h) + j0 * v.rowStride)
                    ldv = v.rowStride
                } else {
                    if dvp > dv { vb.update(repeating: 0, count: np * dvp) }
                    for c in 0..<n { v.loadRow(b, h, j0 + c, count: dv, factor: 1, into: vb + c * dvp, step: 1) }
                    if np > n { (vb + n * dvp).update(repeating: 0, count: (np - n) * dvp) }
                    vPtr = UnsafePointer(vb)
                    ldv = dvp
                }

                // Sᵀ = K·Qᵀ: [np keys][br queries], one 24-query group at a time (its Qᵀ slice stays in L1).
                for g in stride(from: 0, to: active, by: FlashAttention.groupWidth) {
                    var c = 0
                    while c < np {
                        FlashAttentionMicroKernels.scores4x24(depth: d, qt: qt + g, k: kPtr + c * ldk, ldk: ldk,
                                                             s: s + c * br + g)
                        c += 4
                    }
                }
                // Masks: the user's, causal (key j > query i), and the padding keys.
                if let mask {
                    mask.apply(b: b, h: h, i0: i0, rows: rows, j0: j0, keys: n, to: s, rowStep: 1, keyStep: br,
                               factor: FlashAttention.log2e)
                }
                if isCausal && j0 + n - 1 > i0 {
                    for c in 0..<n {
                        let first = j0 + c - i0 // queries r < first may not see key j0 + c
                        if first > 0 { (s + c * br).update(repeating: -.infinity, count: min(first, br)) }
                    }
                }
                if np > n { (s + n * br).update(repeating: -.infinity, count: (np - n) * br) }

                FlashAttentionMicroKernels.onlineSoftmax(s: s, keys: np, queries: active, m: m, l: l, o: o, oRows: dvp)

                // Oᵀ += Vᵀ·P, one 24-query group at a time (its P slice stays in L1).
                for g in stride(from: 0, to: active, by: FlashAttention.groupWidth) {
                    var dt = 0
                    while dt < dvp {
                        FlashAttentionMicroKernels.values4x24(keys: np, p: s + g, v: vPtr + dt, ldv: ldv,
                                                             o: o + dt * br + g)
                        dt += 4
                    }
                }
                j0 += n
            }

            for r in 0..<rows {
                let sum = l[r]
                out.storeRow(b, h, i0 + r, count: dv, from: o + r, step: br, factor: sum > 0 ? 1 / sum : 0)
            }
        }
    }
}

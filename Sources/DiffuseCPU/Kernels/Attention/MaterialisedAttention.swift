import DiffuseCore

/// What the `math` and `memoryEfficient` kernels share: both compute a block of score rows S = scale·q·kᵀ
/// with the GEMM, add the mask, apply causal masking and a safe softmax per row, then out = S·v with the
/// GEMM. They differ only in how many rows they materialise at once (all, or a bounded chunk).
///
/// f16 / bf16 inputs are first converted to f32 copies ([B, H, L, D] each, never Lq × Lkv); f32 views are
/// used in place through their strides.
struct MaterialisedAttention: @unchecked Sendable {
    let q: Tensor, k: Tensor, v: Tensor
    let mask: AttentionMaskReader?
    let scale: Float
    let isCausal: Bool
    let heads: Int, lq: Int, lkv: Int, d: Int, dv: Int
    /// The f32 result, [B, H, Lq, Dv] contiguous.
    let out: Tensor

    init(_ p: AttentionProblem) {
        q = p.q.dtype == .f32 ? p.q : p.q.hostConverted(to: .f32)
        k = p.k.dtype == .f32 ? p.k : p.k.hostConverted(to: .f32)
        v = p.v.dtype == .f32 ? p.v : p.v.hostConverted(to: .f32)
        mask = AttentionMaskReader(p)
        scale = p.effectiveScale
        isCausal = p.isCausal
        heads = p.heads
        lq = p.qLength
        lkv = p.kvLength
        d = p.headDim
        dv = p.valueDim
        out = Tensor(zeros: p.outputShape, dtype: .f32)
    }

    /// Bytes of the f32 input copies and f32 result made besides the kernel's score buffer.
    static func conversionBytes(_ p: AttentionProblem) -> Int {
        var bytes = 0
        for t in [p.q, p.k, p.v] where t.dtype != .f32 { bytes += t.count * 4 }
        if p.outputDType != .f32 { bytes += p.outputShape.reduce(1, *) * 4 }
        return bytes
    }

    /// The result in the problem's output dtype.
    func finished(_ p: AttentionProblem) -> Tensor {
        p.outputDType == .f32 ? out : out.hostConverted(to: p.outputDType)
    }

    @inline(__always)
    private func head(_ t: Tensor, _ bh: Int) -> UnsafePointer<Float> {
        UnsafePointer(t.pointer(as: Float.self) + (bh / heads) * t.strides[0] + (bh % heads) * t.strides[1])
    }

    /// Rows i0..<i0+rows of head bh: scores into `s` (row stride lkv), softmax, then · v into `out`.
    /// `threads` is what the two GEMMs may use.
    func rows(bh: Int, i0: Int, rows: Int, scores s: UnsafeMutablePointer<Float>, threads: Int) {
        scores(bh: bh, i0: i0, rows: rows, into: s, threads: threads)
        for r in 0..<rows { normalise(bh: bh, i: i0 + r, row: s + r * lkv) }
        values(bh: bh, i0: i0, rows: rows, from: s, threads: threads)
    }

    /// s[r][j] = scale · q[i0 + r] · k[j].
    func scores(bh: Int, i0: Int, rows: Int, into s: UnsafeMutablePointer<Float>, threads: Int) {
        let a = StridedMatrix(base: head(q, bh) + i0 * q.strides[2], rowStride: q.strides[2], columnStride: q.strides[3])
        let kt = StridedMatrix(base: head(k, bh), rowStride: k.strides[3], columnStride: k.strides[2])
        GEMMDriver.run(m: rows, n: lkv, k: d, alpha: scale, a: a, b: kt, beta: 0,
                       c: OutputMatrix(base: s, ld: lkv), threads: threads)
    }

    /// Mask, causal masking and softmax of one score row (query i). A row with every key masked becomes 0.
    func normalise(bh: Int, i: Int, row: UnsafeMutablePointer<Float>) {
        if let mask {
            mask.apply(b: bh / heads, h: bh % heads, i0: i, rows: 1, j0: 0, keys: lkv, to: row, rowStep: 0,
                       keyStep: 1, factor: 1)
        }
        if isCausal && i + 1 < lkv { (row + i + 1).update(repeating: -.infinity, count: lkv - i - 1) }
        AttentionSoftmax.safeSoftmax(row, lkv)
    }

    /// out[i0 + r] = Σ_j s[r][j] · v[j].
    func values(bh: Int, i0: Int, rows: Int, from s: UnsafeMutablePointer<Float>, threads: Int) {
        let vm = StridedMatrix(base: head(v, bh), rowStride: v.strides[2], columnStride: v.strides[3])
        let c = out.pointer(as: Float.self) + (bh * lq + i0) * dv
        GEMMDriver.run(m: rows, n: dv, k: lkv, alpha: 1, a: StridedMatrix(UnsafePointer(s), ld: lkv, transposed: false),
                       b: vm, beta: 0, c: OutputMatrix(base: c, ld: dv), threads: threads)
    }
}

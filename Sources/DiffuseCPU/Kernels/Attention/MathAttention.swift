import DiffuseCore

/// The reference attention: materialises every score, S [B·H, Lq, Lkv] f32 (as PyTorch's math backend and
/// diffusers' classic processor do), softmax per row, then S·v. Any float dtype, any layout.
///
/// Work: the two batched GEMMs (one head per thread, or each head on all threads when there are few),
/// then the rows' softmax spread over `Parallel`.
enum MathAttention {
    /// Extra bytes: the whole score tensor, plus f32 copies of f16 / bf16 inputs and output.
    static func scratchBytes(_ p: AttentionProblem) -> Int {
        p.batch * p.heads * p.qLength * p.kvLength * 4 + MaterialisedAttention.conversionBytes(p)
    }

    static func run(_ p: AttentionProblem) -> Tensor {
        let work = MaterialisedAttention(p)
        let bhCount = p.batch * p.heads, lq = p.qLength, lkv = p.kvLength
        let count = bhCount * lq * lkv
        if count > 0 && p.valueDim > 0 {
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: count)
            defer { scores.deallocate() }
            GEMM.runBatched(bhCount, m: lq, n: lkv, k: p.headDim) { bh, threads in
                work.scores(bh: bh, i0: 0, rows: lq, into: scores + bh * lq * lkv, threads: threads)
            }
            Parallel.forRanges(bhCount * lq, grain: max(1, 16384 / lkv)) { range in
                for row in range { work.normalise(bh: row / lq, i: row % lq, row: scores + row * lkv) }
            }
            GEMM.runBatched(bhCount, m: lq, n: p.valueDim, k: lkv) { bh, threads in
                work.values(bh: bh, i0: 0, rows: lq, from: scores + bh * lq * lkv, threads: threads)
            }
        }
        return work.finished(p)
    }
}

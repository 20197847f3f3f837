import DiffuseCore

/// Query-chunked attention: for each (b, h, chunk of `chunkRows` queries) the chunk's scores
/// [chunk, Lkv] are materialised, normalised and multiplied by v — the same arithmetic as `MathAttention`
/// with a bounded score buffer per thread. The chunk is chosen so one buffer is about `budgetBytes` (fits
/// the L2 cache), between `minChunk` and `maxChunk` rows.
enum MemoryEfficientAttention {
    static let budgetBytes = 1 << 20
    static let minChunk = 16
    static let maxChunk = 256
    /// Largest kv length for which one chunk of `minChunk` rows stays within 64 × the budget.
    static let maxKVLength = 64 * budgetBytes / (4 * minChunk)

    static func chunkRows(kvLength: Int) -> Int {
        min(maxChunk, max(minChunk, budgetBytes / (4 * max(kvLength, 1))))
    }

    static func tasks(_ p: AttentionProblem) -> (chunk: Int, chunks: Int, tasks: Int) {
        let chunk = chunkRows(kvLength: p.kvLength)
        let chunks = (p.qLength + chunk - 1) / chunk
        return (chunk, chunks, p.batch * p.heads * chunks)
    }

    /// Peak extra bytes: one chunk × Lkv score buffer per running thread, plus f32 copies of f16 / bf16
    /// inputs and output. Grows with Lkv (not with Lq).
    static func scratchBytes(_ p: AttentionProblem) -> Int {
        let (chunk, _, tasks) = tasks(p)
        let threads = max(1, min(Parallel.threadCount, tasks))
        return threads * min(chunk, p.qLength) * p.kvLength * 4 + MaterialisedAttention.conversionBytes(p)
    }

    static func run(_ p: AttentionProblem) -> Tensor {
        let work = MaterialisedAttention(p)
        let (chunk, chunks, tasks) = tasks(p)
        if tasks > 0 && p.kvLength > 0 && p.valueDim > 0 {
            let lq = p.qLength
            Parallel.forRanges(tasks, oversubscribe: 2) { range in
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: min(chunk, lq) * p.kvLength)
                defer { scores.deallocate() }
                for t in range {
                    let i0 = (t % chunks) * chunk
                    work.rows(bh: t / chunks, i0: i0, rows: min(chunk, lq - i0), scores: scores, threads: 1)
                }
            }
        }
        return work.finished(p)
    }
}

/// out = f(a, b) elementwise over a `BroadcastLayout`.
/// a, b: f32 at any strides (as in `layout`); out: contiguous f32 with `layout.outputShape`.
/// Work is split across threads by rows of the inner run (and by chunks of it when rows are few).
enum BroadcastBinary {
    @inline(__always)
    static func run(_ layout: BroadcastLayout, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                    _ out: UnsafeMutablePointer<Float>, _ f: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>) {
        let shape = layout.shape, sa = layout.aStrides, sb = layout.bStrides
        let inner = shape[shape.count - 1], innerA = sa[sa.count - 1], innerB = sb[sb.count - 1]
        let outerRank = shape.count - 1
        let rows = shape.dropLast().reduce(1, *)
        if rows * inner == 0 { return }
        // Split long runs so that a single big row still uses every thread.
        let chunk = inner > 1 << 15 ? 1 << 14 : inner
        let chunksPerRow = (inner + chunk - 1) / chunk
        Parallel.forRanges(rows * chunksPerRow, grain: max(1, (1 << 14) / chunk)) { units in
            // Odometer over the outer dimensions, started at the first unit's row.
            var index = [Int](repeating: 0, count: outerRank)
            var row = units.lowerBound / chunksPerRow
            var offA = 0, offB = 0
            for d in stride(from: outerRank - 1, through: 0, by: -1) {
                index[d] = row % shape[d]
                row /= shape[d]
                offA += index[d] * sa[d]
                offB += index[d] * sb[d]
            }
            var unit = units.lowerBound
            while unit < units.upperBound {
                let r = unit / chunksPerRow, c = unit % chunksPerRow
                let start = c * chunk, n = min(chunk, inner - start)
                VectorMap.binary(a + offA + start * innerA, innerA, b + offB + start * innerB, innerB,
                                 out + r * inner + start, n, f)
                unit += 1
                if c == chunksPerRow - 1 {
                    // Next row: advance the odometer.
                    var d = outerRank - 1
                    while d >= 0 {
                        index[d] += 1
                        offA += sa[d]; offB += sb[d]
                        if index[d] < shape[d] { break }
                        offA -= sa[d] * shape[d]; offB -= sb[d] * shape[d]
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
    }
}

/// A binary elementwise op's iteration space after NumPy broadcasting, with dimensions coalesced:
/// size-1 dimensions dropped and neighbours merged wherever both operands step through them as one
/// run. The usual cases collapse to a short form that the vector loops handle at full speed:
///   same shape, contiguous        → shape [n],        strides a [1],       b [1]
///   x [B, T, C] + bias [C]        → shape [B·T, C],   strides a [C, 1],    b [0, 1]
///   x [N, C, H, W] + [1, C, 1, 1] → shape [N, C, H·W], strides a [C·HW, HW, 1], b [0, 1, 0]
///   x + scalar                    → shape [n],        strides a [1],       b [0]
struct BroadcastLayout: Equatable {
    /// The broadcast result's shape (before coalescing).
    let outputShape: [Int]
    /// Coalesced dimensions; the last is the inner run. Never empty (a scalar result is [1]).
    let shape: [Int]
    let aStrides: [Int]
    let bStrides: [Int]

    /// nil when the shapes do not broadcast.
    init?(aShape: [Int], aStrides: [Int], bShape: [Int], bStrides: [Int]) {
        let rank = max(aShape.count, bShape.count)
        func padded(_ s: [Int], _ fill: Int) -> [Int] { [Int](repeating: fill, count: rank - s.count) + s }
        let sa = padded(aShape, 1), sb = padded(bShape, 1)
        let ta = padded(aStrides, 0), tb = padded(bStrides, 0)
        var out: [Int] = [], da: [Int] = [], db: [Int] = []
        for d in 0..<rank {
            guard sa[d] == sb[d] || sa[d] == 1 || sb[d] == 1 else { return nil }
            out.append(sa[d] == 1 ? sb[d] : sa[d]) // not max: [0] with [1] is [0]
            da.append(sa[d] == 1 ? 0 : ta[d])
            db.append(sb[d] == 1 ? 0 : tb[d])
        }
        outputShape = out
        // Drop size-1 dimensions, then merge d into the following dimension when both strides allow it.
        var shape: [Int] = [], stA: [Int] = [], stB: [Int] = []
        for d in 0..<rank where out[d] != 1 {
            if let last = shape.last, out[d] > 0,
               stA[stA.count - 1] == da[d] * out[d], stB[stB.count - 1] == db[d] * out[d] {
                shape[shape.count - 1] = last * out[d]
                stA[stA.count - 1] = da[d]
                stB[stB.count - 1] = db[d]
            } else {
                shape.append(out[d]); stA.append(da[d]); stB.append(db[d])
            }
        }
        if shape.isEmpty { shape = [1]; stA = [0]; stB = [0] }
        self.shape = shape
        self.aStrides = stA
        self.bStrides = stB
    }
}

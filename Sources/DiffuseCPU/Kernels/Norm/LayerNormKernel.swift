/// LayerNorm over the last dimension. x, out: [R, D] contiguous f32; weight, bias: [D] or nil.
/// Rows are independent and split across threads.
enum LayerNormKernel {
    static func run(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, length d: Int,
                    weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, eps: Float) {
        if d == 0 { return }
        VectorMap.forRows(rows, rowLength: d) { rowRange in
            for r in rowRange {
                let src = x + r * d, dst = out + r * d
                let (mean, variance) = Moments.meanAndVariance(src, d)
                let rstd = Moments.reciprocalStd(variance, eps: eps)
                if let weight {
                    VectorMap.binary(src, 1, weight, 1, dst, d) { ($0 - mean) * rstd * $1 }
                } else {
                    VectorMap.unary(src, dst, d) { ($0 - mean) * rstd }
                }
                if let bias {
                    VectorMap.binary(UnsafePointer(dst), 1, bias, 1, dst, d) { $0 + $1 }
                }
            }
        }
    }
}

/// Mean and (biased) variance of a contiguous run, as normalisation layers need them.
enum Moments {
    /// Elements per block summed in Float vectors before the block's total is added in Double.
    /// Keeps float rounding to within-block error even for runs of millions (VAE GroupNorm at 512²).
    static let block = 4096

    /// Σ f(p[i]) over i ∈ 0..<n; a partial last vector is padded with `fill` (choose f(fill) = 0).
    @inline(__always)
    static func sum(_ p: UnsafePointer<Float>, _ n: Int, fill: Float, _ f: (SIMD16<Float>) -> SIMD16<Float>) -> Double {
        var total = 0.0
        var start = 0
        while start < n {
            let end = min(start + block, n)
            var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
            var i = start
            while i + 32 <= end {
                acc0 += f(p.vector(at: i))
                acc1 += f(p.vector(at: i + 16))
                i += 32
            }
            while i + 16 <= end {
                acc0 += f(p.vector(at: i))
                i += 16
            }
            if i < end { acc1 += f(SIMD16<Float>.loadPartial(p + i, count: end - i, fill: fill)) }
            total += Double((acc0 + acc1).horizontalSum)
            start = end
        }
        return total
    }

    /// (mean, biased variance) of p[0..<n] by two passes (the second sums squared deviations, which
    /// avoids the cancellation of E[x²] − E[x]²). The run should be in cache for the second pass.
    @inline(__always)
    static func meanAndVariance(_ p: UnsafePointer<Float>, _ n: Int) -> (mean: Float, variance: Float) {
        let mean = Float(sum(p, n, fill: 0) { $0 } / Double(n))
        let squares = sum(p, n, fill: mean) { v in let d = v - mean; return d * d }
        return (mean, Float(squares / Double(n)))
    }

    /// 1 / √(variance + eps), computed in Double.
    @inline(__always)
    static func reciprocalStd(_ variance: Float, eps: Float) -> Float {
        Float(1 / (Double(variance) + Double(eps)).squareRoot())
    }
}

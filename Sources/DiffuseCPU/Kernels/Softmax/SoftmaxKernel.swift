/// Softmax over rows. x, out: [R, D] contiguous f32. Three passes per row (max; e^{x − max} stored and
/// summed; scale by 1/sum), the row staying in cache between them. Rows split across threads.
/// A row of all −∞ gives NaN, as in torch.
enum SoftmaxKernel {
    typealias V = SIMD16<Float>

    static func run(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, length d: Int) {
        if d == 0 { return }
        VectorMap.forRows(rows, rowLength: d) { rowRange in
            for r in rowRange {
                let src = x + r * d, dst = out + r * d
                let m = rowMax(src, d)
                let sum = exponentiate(src, dst, d, subtracting: m)
                let inverse = 1 / sum
                VectorMap.unary(UnsafePointer(dst), dst, d) { $0 * inverse }
            }
        }
    }

    /// max of p[0..<n] (n ≥ 1), by vector compare-and-replace and a halving reduction.
    @inline(__always)
    static func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var m0 = V(repeating: -.infinity), m1 = m0
        var i = 0
        while i + 32 <= n {
            let a: V = p.vector(at: i), b: V = p.vector(at: i + 16)
            m0 = m0.replacing(with: a, where: a .> m0)
            m1 = m1.replacing(with: b, where: b .> m1)
            i += 32
        }
        if i + 16 <= n {
            let a: V = p.vector(at: i)
            m0 = m0.replacing(with: a, where: a .> m0)
            i += 16
        }
        if i < n {
            let a = V.loadPartial(p + i, count: n - i, fill: -.infinity)
            m1 = m1.replacing(with: a, where: a .> m1)
        }
        return m0.replacing(with: m1, where: m1 .> m0).horizontalMax
    }

    /// dst = e^{src − m}; returns the sum.
    @inline(__always)
    static func exponentiate(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int,
                             subtracting m: Float) -> Float {
        var acc = V()
        var i = 0
        while i + 16 <= n {
            let e = VectorMath.exp(src.vector(at: i, as: V.self) - m)
            dst.store(e, at: i)
            acc += e
            i += 16
        }
        if i < n {
            let e = VectorMath.exp(V.loadPartial(src + i, count: n - i, fill: -.infinity) - m)
            e.storePartial(dst + i, count: n - i)
            acc += e
        }
        return acc.horizontalSum
    }
}

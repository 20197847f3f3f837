/// Softmax over rows. x, out: [R, D] contiguous f32. Three passes per row (max; e^{x − max} stored and
/// summed; scale by 1/sum), the row staying in cache between them. Rows split across threads.
/// A row of all −∞ gives NaN, as in torch.
///
/// Rows of ≥ 16 elements handle their tail with one *overlapping* full vector ending at the row's end
/// instead of a partial load/store: attention rows of 77 would otherwise spend most of their time in
/// tail copies (measured 2.5 → 1.3 ns per element).
enum SoftmaxKernel {
    typealias V = SIMD16<Float>

    static func run(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, length d: Int) {
        if d == 0 { return }
        VectorMap.forRows(rows, rowLength: d) { rowRange in
            for r in rowRange {
                let src = x + r * d, dst = out + r * d
                if d < 16 {
                    shortRow(src, dst, d)
                } else {
                    let m = rowMax(src, d)
                    let inverse = 1 / exponentiate(src, dst, d, subtracting: m)
                    scale(dst, d, by: inverse)
                }
            }
        }
    }

    /// A row shorter than one vector: one partial load, one partial store.
    @inline(__always)
    static func shortRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        let v = V.loadPartial(src, count: n, fill: -.infinity)
        let e = VectorMath.exp(v - v.horizontalMax)
        (e * (1 / e.horizontalSum)).storePartial(dst, count: n)
    }

    /// max of p[0..<n], n ≥ 16 (the last vector may overlap the previous ones: harmless for a max).
    @inline(__always)
    static func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var m0: V = p.vector(at: n - 16), m1 = m0
        var i = 0
        while i + 32 <= n {
            let a = p.vector(at: i), b = p.vector(at: i + 16)
            m0 = m0.replacing(with: a, where: a .> m0)
            m1 = m1.replacing(with: b, where: b .> m1)
            i += 32
        }
        if i + 16 <= n {
            let a = p.vector(at: i)
            m0 = m0.replacing(with: a, where: a .> m0)
        }
        return m0.replacing(with: m1, where: m1 .> m0).horizontalMax
    }

    /// dst = e^{src − m} for n ≥ 16; returns the sum. The overlapping last vector rewrites equal values and
    /// adds only its lanes past the last full vector.
    @inline(__always)
    static func exponentiate(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int,
                             subtracting m: Float) -> Float {
        var acc = V()
        var i = 0
        while i + 16 <= n {
            let e = VectorMath.exp(src.vector(at: i) - m)
            dst.store(e, at: i)
            acc += e
            i += 16
        }
        if i < n {
            let e = VectorMath.exp(src.vector(at: n - 16) - m)
            dst.store(e, at: n - 16)
            let seen = Float(16 - (n - i)) // lanes already summed
            // Float lane numbers: an Int32 vector compare here compiles to a lane-by-lane loop.
            let lanes = V(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
            acc += e.replacing(with: 0, where: lanes .< seen)
        }
        return acc.horizontalSum
    }

    /// p[0..<n] *= s in place, n ≥ 16. The overlapping last vector is read before any store and written last,
    /// so no element is scaled twice.
    @inline(__always)
    static func scale(_ p: UnsafeMutablePointer<Float>, _ n: Int, by s: Float) {
        let last = UnsafePointer(p).vector(at: n - 16) * s
        var i = 0
        while i + 16 <= n {
            p.store(UnsafePointer(p).vector(at: i) * s, at: i)
            i += 16
        }
        p.store(last, at: n - 16)
    }
}

// Loads, stores and horizontal reductions of `SIMD16<Float>`, the vector the elementwise loops work in.
//
// Everything here is concrete (no generic `SIMD` code): in debug builds the package is compiled file
// by file without whole-module optimisation, and a generic SIMD function called from another file is
// then never specialised — it runs through protocol witnesses, ~1000× slower (measured: 11 s instead of
// 9 ms for 4M elements). Concrete functions are optimised in their own file and cost only a call.

extension SIMD16 where Scalar == Float {
    /// Loads `count` lanes (< 16) from `p`, stepping `stride`, filling the other lanes with `fill`.
    /// Unit stride copies the bytes in one `memcpy` (a lane-by-lane insert loop costs ~5× more).
    @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Float>, count: Int, stride: Int = 1, fill: Float = 0) -> SIMD16<Float> {
        var v = SIMD16<Float>(repeating: fill)
        if stride == 1 {
            withUnsafeMutableBytes(of: &v) { $0.baseAddress!.copyMemory(from: p, byteCount: count * 4) }
        } else {
            for k in 0..<count { v[k] = p[k * stride] }
        }
        return v
    }

    /// Loads 16 elements from `p`, stepping `stride` (a gather done lane by lane).
    @inline(__always)
    static func loadStrided(_ p: UnsafePointer<Float>, stride: Int) -> SIMD16<Float> {
        var v = SIMD16<Float>()
        for k in 0..<16 { v[k] = p[k * stride] }
        return v
    }

    /// Stores the first `count` lanes to `p`.
    @inline(__always)
    func storePartial(_ p: UnsafeMutablePointer<Float>, count: Int) {
        withUnsafeBytes(of: self) { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: count * 4) }
    }

    /// Sum of the lanes by halving (the stdlib's `sum()` adds lane by lane).
    @inline(__always) var horizontalSum: Float {
        let h = lowHalf + highHalf, q = h.lowHalf + h.highHalf, d = q.lowHalf + q.highHalf
        return d[0] + d[1]
    }

    /// Maximum of the lanes by halving with compare-and-replace (the stdlib's `max()` is scalar with NaN checks).
    @inline(__always) var horizontalMax: Float {
        let a = lowHalf, b = highHalf
        let h = a.replacing(with: b, where: b .> a)
        let c = h.lowHalf, d = h.highHalf
        let q = c.replacing(with: d, where: d .> c)
        let e = q.lowHalf, f = q.highHalf
        let m = e.replacing(with: f, where: f .> e)
        return m[1] > m[0] ? m[1] : m[0]
    }
}

extension UnsafePointer where Pointee == Float {
    /// An unaligned load of 16 floats starting at `self + i`.
    @inline(__always) func vector(at i: Int) -> SIMD16<Float> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD16<Float>.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// An unaligned store of 16 floats at `self + i`.
    @inline(__always) func store(_ v: SIMD16<Float>, at i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}

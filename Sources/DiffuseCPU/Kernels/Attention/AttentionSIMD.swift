/// Unaligned SIMD8<Float> loads and stores and lane reductions for the attention kernels (their own, so
/// they do not depend on the elementwise kernels' helpers). The stdlib's `sum()` / `max()` run lane by
/// lane with NaN checks; these reduce by halving.
extension UnsafePointer where Pointee == Float {
    @inline(__always) func loadVector8(at i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Float>.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func loadVector8(at i: Int) -> SIMD8<Float> {
        UnsafeRawPointer(self + i).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) func storeVector8(_ v: SIMD8<Float>, at i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: SIMD8<Float>.self)
    }
}

enum AttentionSIMD {
    @inline(__always) static func sum(_ v: SIMD8<Float>) -> Float {
        let h = v.lowHalf + v.highHalf
        let q = h.lowHalf + h.highHalf
        return q[0] + q[1]
    }

    @inline(__always) static func max(_ v: SIMD8<Float>) -> Float {
        let a = v.lowHalf, b = v.highHalf
        let h = a.replacing(with: b, where: b .> a)
        let c = h.lowHalf, d = h.highHalf
        let q = c.replacing(with: d, where: d .> c)
        return q[1] > q[0] ? q[1] : q[0]
    }
}

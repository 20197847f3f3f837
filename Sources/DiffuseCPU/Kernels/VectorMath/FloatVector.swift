/// The SIMD float vectors the kernels compute with (`SIMD8<Float>` = one AVX2 register, `SIMD16<Float>` = two).
/// Math in `VectorMath` is written once, generically, and specialised for both at compile time.
/// `MaskStorage` (an `Int32` vector of the same width) doubles as the vector of bit patterns.
protocol FloatVector: SIMD where Scalar == Float, MaskStorage.Scalar == Int32 {}

extension SIMD8: FloatVector where Scalar == Float {}
extension SIMD16: FloatVector where Scalar == Float {}

extension FloatVector {
    /// The IEEE bit patterns (a free reinterpretation).
    @inline(__always) var bits: MaskStorage { unsafeBitCast(self, to: MaskStorage.self) }

    /// Floats with the given bit patterns.
    @inline(__always) init(bits: MaskStorage) { self = unsafeBitCast(bits, to: Self.self) }

    /// |self| by clearing the sign bits.
    @inline(__always) var magnitude: Self { Self(bits: bits & MaskStorage(repeating: 0x7FFF_FFFF)) }

    /// `self` with the signs of `sign` (self must be non-negative).
    @inline(__always) func withSign(of sign: Self) -> Self {
        Self(bits: bits | (sign.bits & MaskStorage(repeating: Int32(bitPattern: 0x8000_0000))))
    }

    /// Lane-wise minimum / maximum with a scalar, without the stdlib's scalarised NaN-aware `pointwiseMin`.
    @inline(__always) func clamped(below lo: Float, above hi: Float) -> Self {
        let a = replacing(with: lo, where: self .< lo)
        return a.replacing(with: hi, where: a .> hi)
    }

    /// Loads `count` lanes (< width) from `p`, stepping `stride`, filling the other lanes with `fill`.
    @inline(__always) static func loadPartial(_ p: UnsafePointer<Float>, count: Int, stride: Int = 1, fill: Float = 0) -> Self {
        var v = Self(repeating: fill)
        for k in 0..<count { v[k] = p[k * stride] }
        return v
    }

    /// Loads a full vector from `p`, stepping `stride` between elements (a gather done lane by lane).
    @inline(__always) static func loadStrided(_ p: UnsafePointer<Float>, stride: Int) -> Self {
        var v = Self()
        for k in 0..<v.scalarCount { v[k] = p[k * stride] }
        return v
    }

    /// Stores the first `count` lanes to `p`.
    @inline(__always) func storePartial(_ p: UnsafeMutablePointer<Float>, count: Int) {
        for k in 0..<count { p[k] = self[k] }
    }
}

extension UnsafePointer where Pointee == Float {
    /// An unaligned vector load of `V.scalarCount` floats starting at `self + i`.
    @inline(__always) func vector<V: FloatVector>(at i: Int, as _: V.Type = V.self) -> V {
        UnsafeRawPointer(self + i).loadUnaligned(as: V.self)
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    /// An unaligned vector store at `self + i`.
    @inline(__always) func store<V: FloatVector>(_ v: V, at i: Int) {
        UnsafeMutableRawPointer(self + i).storeBytes(of: v, as: V.self)
    }
}

// Horizontal reductions by halving (the stdlib's `sum()`/`max()` run lane by lane with NaN checks).
extension SIMD16 where Scalar == Float {
    @inline(__always) var horizontalSum: Float { (lowHalf + highHalf).horizontalSum }
    @inline(__always) var horizontalMax: Float {
        let a = lowHalf, b = highHalf
        return a.replacing(with: b, where: b .> a).horizontalMax
    }
}

extension SIMD8 where Scalar == Float {
    @inline(__always) var horizontalSum: Float {
        let h = lowHalf + highHalf
        let q = h.lowHalf + h.highHalf
        return q[0] + q[1]
    }
    @inline(__always) var horizontalMax: Float {
        let a = lowHalf, b = highHalf
        let h = a.replacing(with: b, where: b .> a)
        let c = h.lowHalf, d = h.highHalf
        let q = c.replacing(with: d, where: d .> c)
        return q[1] > q[0] ? q[1] : q[0]
    }
}

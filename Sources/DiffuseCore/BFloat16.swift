/// bfloat16 ↔ Float conversion. Swift has no bfloat16 type: values are stored as their `UInt16` bits.
public enum BFloat16 {
    /// Float → bf16 bits with round-to-nearest-even; NaN stays a (quiet) NaN.
    @inlinable @inline(__always)
    public static func bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040) }
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// bf16 bits → Float (exact).
    @inlinable @inline(__always)
    public static func float(fromBits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }
}

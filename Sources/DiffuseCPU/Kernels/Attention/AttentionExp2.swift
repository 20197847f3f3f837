/// 2ˣ for the attention softmax, whose scores are kept in log₂ units (log₂e is folded into the q scale),
/// so each exponential is one rounding, one degree-6 polynomial and an exponent shift.
///
/// Only for x ≤ 0 (scores minus their running maximum): x ≤ −127 (and −∞) gives exactly 0, which is how
/// masked keys drop out. Cephes' `exp2f` polynomial on [−½, ½]: relative error ≤ 2e-7.
enum AttentionExp2 {
    @inline(__always)
    static func exp2(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let xc = x.replacing(with: -127, where: x .< -127)
        // Round to the nearest integer with the 1.5·2²³ trick: t's low mantissa bits then hold n.
        let magic: Float = 12_582_912
        let t = xc + magic
        let n = t - magic
        let f = xc - n
        typealias V = SIMD8<Float>
        var p = V(repeating: 1.339_887_440_266_574e-3).addingProduct(f, 1.535_336_188_319_500e-4)
        p = V(repeating: 9.618_437_357_674_640e-3).addingProduct(p, f)
        p = V(repeating: 5.550_332_471_162_809e-2).addingProduct(p, f)
        p = V(repeating: 2.402_264_791_363_012e-1).addingProduct(p, f)
        p = V(repeating: 6.931_472_028_550_421e-1).addingProduct(p, f)
        let twoToF = V(repeating: 1).addingProduct(p, f)
        // 2ⁿ from the exponent bits; n = −127 gives the bit pattern 0, i.e. +0.
        let tBits = unsafeBitCast(t, to: SIMD8<Int32>.self)
        let scale = unsafeBitCast((tBits &<< 23) &+ SIMD8<Int32>(repeating: 127 << 23), to: V.self)
        return twoToF * scale
    }
}

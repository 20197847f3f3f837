/// Transcendental functions on SIMD float vectors, branch-free (both sides of a range split are computed
/// and blended). Written once on `SIMD8<Float>` (one AVX2 register); the `SIMD16<Float>` overloads at the
/// end run the two halves. Concrete, not generic, for the reason given in `SIMD16+Memory.swift`.
/// Accuracy against Double is checked in `VectorMathTests` (the numbers quoted come from that test).
///
/// Polynomial coefficients were fitted (near-minimax, Lawson-weighted least squares on Chebyshev
/// nodes against 40-digit mpmath) for the ranges stated at each constant.
enum VectorMath {
    typealias V = SIMD8<Float>

    // MARK: exp

    /// eˣ. Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, Cephes' degree-7 polynomial for eʳ,
    /// 2ⁿ built in the exponent bits. Measured max relative error 7.6e-8 (< 1 ulp) on [−87, 88];
    /// x < −87.34 → 0 (no subnormals), x > 88.72 → +∞, NaN → NaN.
    @inline(__always)
    static func exp(_ x: V) -> V {
        let upper: Float = 88.72283, lower: Float = -87.33654 // ln(FLT_MAX), ln(FLT_MIN)
        let xc = x.clamped(below: lower, above: upper)
        // Round x·log2(e) to an integer with the 1.5·2²³ trick: its low mantissa bits then hold n.
        let magic: Float = 12_582_912
        var t = V(repeating: magic).addingProduct(xc, 1.442_695_04)
        var n = t - magic
        // n = 128 only for x within 0.35 of ln(FLT_MAX): use 127 and a larger r (still < ln 2).
        let tooBig = n .> 127
        n = n.replacing(with: 127, where: tooBig)
        t = t.replacing(with: magic + 127, where: tooBig)
        let r = xc.addingProduct(n, -0.693_359_375).addingProduct(n, 2.121_944_4e-4) // ln2 = hi + lo
        var p = V(repeating: 1.987_569_15e-4)
        p = fma(p, r, 1.398_199_950_7e-3)
        p = fma(p, r, 8.333_451_907_3e-3)
        p = fma(p, r, 4.166_579_589_4e-2)
        p = fma(p, r, 1.666_666_545_9e-1)
        p = fma(p, r, 5.000_000_120_1e-1)
        let er = (p * (r * r) + r) + 1
        let scale = V(bits: (t.bits &<< 23) &+ SIMD8<Int32>(repeating: 127 << 23))
        var result = er * scale
        result = result.replacing(with: 0, where: x .< lower)
        return result.replacing(with: .infinity, where: x .> upper)
    }

    // MARK: sigmoid, tanh

    /// 1 / (1 + e⁻ˣ). Measured max relative error 1.4e-7 on [−80, 30] (both tails stay accurate because e⁻ˣ
    /// is relatively accurate); −∞ → 0, +∞ → 1.
    @inline(__always)
    static func sigmoid(_ x: V) -> V {
        1 / (exp(-x) + 1)
    }

    /// tanh x. |x| < 0.55: x + x³·P(x²) (degree 5); otherwise 1 − 2/(e^{2|x|} + 1) with the sign of x.
    /// Measured max relative error 1.4e-7 on [−12, 12].
    @inline(__always)
    static func tanh(_ x: V) -> V {
        let a = x.magnitude
        let u = x * x
        // P fitted on x² ∈ [0, 0.3025]; relative error 1.1e-9 before rounding.
        var p = V(repeating: 2.526_446_797e-03)
        p = fma(p, u, -8.526_375_609e-03)
        p = fma(p, u, 2.181_846_044e-02)
        p = fma(p, u, -5.396_470_167e-02)
        p = fma(p, u, 1.333_332_420e-01)
        p = fma(p, u, -3.333_333_330e-01)
        let small = x.addingProduct(x * u, p)
        let large = (1 - 2 / (exp(a + a) + 1)).withSign(of: x)
        return large.replacing(with: small, where: a .< 0.55)
    }

    // MARK: erf

    /// erf x. Measured max absolute error 1.3e-7 on [−6, 6], max relative error 1.7e-7 (small |x| included).
    @inline(__always)
    static func erf(_ x: V) -> V {
        let (inner, tail, isInner) = erfParts(x)
        let outer = (1 - tail).withSign(of: x)
        return outer.replacing(with: inner, where: isInner)
    }

    /// 1 + erf x, computed without cancellation for negative x (there it is erfc|x|, relatively accurate
    /// far into the tail: measured 3.6e-7 relative on [−4, −1]; below −4 the absolute error is < 2e-8).
    /// GELU uses it so that its negative tail keeps relative precision.
    @inline(__always)
    static func onePlusErf(_ x: V) -> V {
        let (inner, tail, isInner) = erfParts(x)
        let outer = (2 - tail).replacing(with: tail, where: x .< 0)
        return outer.replacing(with: 1 + inner, where: isInner)
    }

    /// The two halves of erf: `inner` = erf x for |x| < 1 (x·P(x²)); `tail` = erfc|x| for |x| ≥ 1,
    /// as e^{−x²}·R(|x|) where R(a) = e^{a²}·erfc(a) is smooth (a polynomial in a − 2.5 on [1, 4]).
    @inline(__always)
    private static func erfParts(_ x: V) -> (inner: V, tail: V, isInner: SIMDMask<SIMD8<Int32>>) {
        let a = x.magnitude
        let u = x * x
        // P(u) = erf(√u)/√u on u ∈ [0, 1], degree 6: relative error 1.2e-9 before rounding.
        var p = V(repeating: 7.853_856_478e-05)
        p = fma(p, u, -8.010_192_150e-04)
        p = fma(p, u, 5.188_327_518e-03)
        p = fma(p, u, -2.685_381_185e-02)
        p = fma(p, u, 1.128_358_515e-01)
        p = fma(p, u, -3.761_262_582e-01)
        p = fma(p, u, 1.128_379_166e+00)
        let inner = x * p
        // R on a ∈ [1, 4], degree 10 in s = a − 2.5: relative error 1.5e-7. Beyond 4, erfc < 2e-8 and
        // the clamped R only changes that negligible value.
        let s = a.clamped(below: 1, above: 4) - 2.5
        var r = V(repeating: 1.553_922_892e-06)
        r = fma(r, s, -6.357_385_050e-06)
        r = fma(r, s, 1.501_031_706e-05)
        r = fma(r, s, -5.372_976_234e-05)
        r = fma(r, s, 2.116_952_606e-04)
        r = fma(r, s, -7.387_576_192e-04)
        r = fma(r, s, 2.466_991_656e-03)
        r = fma(r, s, -7.999_493_027e-03)
        r = fma(r, s, 2.493_792_623e-02)
        r = fma(r, s, -7.434_757_666e-02)
        r = fma(r, s, 2.108_063_696e-01)
        // e^{−a²} with a² split exactly into hi + lo (FMA), so the rounding of a² (up to 16) does not
        // cost relative accuracy: e^{−hi−lo} ≈ e^{−hi}·(1 − lo).
        // |x| is capped at 10 (erfc 10 ≈ 2e-45 is 0 in f32 anyway) so that ±∞ and huge inputs give 0, not ∞ − ∞.
        let ac = a.replacing(with: 10, where: a .> 10)
        let hi = ac * ac
        let lo = (-hi).addingProduct(ac, ac) // a·a − hi, fused: exact
        let tail = exp(-hi) * (1 - lo) * r
        return (inner, tail, a .< 1)
    }

    /// p · x + c with one rounding (Horner steps; Swift does not contract `p * x + c` into an FMA).
    @inline(__always)
    private static func fma(_ p: V, _ x: V, _ c: Float) -> V { V(repeating: c).addingProduct(p, x) }

    // MARK: SIMD16 = two SIMD8 halves

    typealias V16 = SIMD16<Float>
    @inline(__always) static func exp(_ x: V16) -> V16 { V16(lowHalf: exp(x.lowHalf), highHalf: exp(x.highHalf)) }
    @inline(__always) static func sigmoid(_ x: V16) -> V16 { V16(lowHalf: sigmoid(x.lowHalf), highHalf: sigmoid(x.highHalf)) }
    @inline(__always) static func tanh(_ x: V16) -> V16 { V16(lowHalf: tanh(x.lowHalf), highHalf: tanh(x.highHalf)) }
    @inline(__always) static func erf(_ x: V16) -> V16 { V16(lowHalf: erf(x.lowHalf), highHalf: erf(x.highHalf)) }
    @inline(__always) static func onePlusErf(_ x: V16) -> V16 { V16(lowHalf: onePlusErf(x.lowHalf), highHalf: onePlusErf(x.highHalf)) }
}

// Bit-level helpers for the functions above (private to this file so they are always inlined).
private extension SIMD8 where Scalar == Float {
    /// The IEEE bit patterns (a free reinterpretation).
    @inline(__always) var bits: SIMD8<Int32> { unsafeBitCast(self, to: SIMD8<Int32>.self) }

    /// Floats with the given bit patterns.
    @inline(__always) init(bits: SIMD8<Int32>) { self = unsafeBitCast(bits, to: SIMD8<Float>.self) }

    /// |self| by clearing the sign bits.
    @inline(__always) var magnitude: SIMD8<Float> { SIMD8<Float>(bits: bits & SIMD8<Int32>(repeating: 0x7FFF_FFFF)) }

    /// `self` (non-negative) with the signs of `sign`.
    @inline(__always) func withSign(of sign: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8<Float>(bits: bits | (sign.bits & SIMD8<Int32>(repeating: Int32(bitPattern: 0x8000_0000))))
    }

    /// Clamped to [lo, hi] by compare-and-replace (the stdlib's `pointwiseMin/Max` are scalarised).
    @inline(__always) func clamped(below lo: Float, above hi: Float) -> SIMD8<Float> {
        let a = replacing(with: lo, where: self .< lo)
        return a.replacing(with: hi, where: a .> hi)
    }
}

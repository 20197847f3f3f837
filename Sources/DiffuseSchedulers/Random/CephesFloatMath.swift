/// Scalar ports of the float32 `log256_ps` and `sincos256_ps` of `avx_mathfun.h` (Cephes polynomials,
/// by Julien Pommier and Giovanni Garberoglio, zlib licence), which PyTorch's x86-64 `normal_fill`
/// uses for `torch.randn` (`ATen/native/cpu/avx_mathfun.h`).
///
/// torch's binary is built by GCC with `-mfma` and the default `-ffp-contract=fast`, and GCC's
/// intrinsics are plain vector arithmetic, so GCC fuses every multiply whose only use is an add into
/// an FMA. The operation order below reproduces that: each `addingProduct` is one of those fused
/// operations (where an add has two products as operands, the *earlier* product is fused and the
/// other rounded first). *Measured* (torch 2.15, numpy emulation of the lanes): this fusion pattern
/// is bit-identical to `torch.randn` on 2^20 normals; with no fusion, or with the other product fused
/// in those two places, 2–12 in 4,096 normals differ by an ulp. The Swift port matches every case of
/// `Fixtures/ops/random.safetensors` bit for bit.
enum CephesFloatMath {
    /// `log256_ps` for one lane. Inputs here are in (0, 1]; x ≤ 0 gives NaN as in the original.
    static func log(_ input: Float) -> Float {
        if input <= 0 { return .nan }
        var x = max(input, Float(bitPattern: 0x0080_0000)) // cut off denormals
        let biasedExponent = Int32(bitPattern: x.bitPattern >> 23)
        x = Float(bitPattern: (x.bitPattern & ~0x7F80_0000) | Float(0.5).bitPattern) // mantissa in [0.5, 1)
        var e = Float(biasedExponent - 0x7F)
        e = e + 1
        let below = x < Float(bitPattern: 0x3F35_04F3) // √½ = 0.707106781186547524
        let tmp: Float = below ? x : 0
        x = x - 1
        e = e - (below ? 1 : 0)
        x = x + tmp
        let z = x * x
        var y: Float = 7.0376836292E-2
        y = Float(-1.1514610310E-1).addingProduct(y, x)
        y = Float(1.1676998740E-1).addingProduct(y, x)
        y = Float(-1.2420140846E-1).addingProduct(y, x)
        y = Float(1.4249322787E-1).addingProduct(y, x)
        y = Float(-1.6668057665E-1).addingProduct(y, x)
        y = Float(2.0000714765E-1).addingProduct(y, x)
        y = Float(-2.4999993993E-1).addingProduct(y, x)
        y = Float(3.3333331174E-1).addingProduct(y, x)
        y = y * x
        y = (e * Float(-2.12194440e-4)).addingProduct(y, z) // y·z + e·q1, y·z fused
        y = y.addingProduct(-z, 0.5)                          // y − z·½
        x = x + y
        x = x.addingProduct(e, 0.693359375)                   // x + e·q2
        return x
    }

    /// `sincos256_ps` for one lane: (sin x, cos x).
    static func sincos(_ input: Float) -> (sin: Float, cos: Float) {
        var signSin = input.bitPattern & 0x8000_0000
        var x = Float(bitPattern: input.bitPattern & 0x7FFF_FFFF)
        var y = x * Float(1.27323954473516) // 4/π
        var j = Int32(y.rounded(.towardZero)) // cvttps (θ < 2π here: no overflow)
        j = (j &+ 1) & ~1
        y = Float(j)
        let swapSin = UInt32(bitPattern: (j & 4) << 29)
        let signCos = UInt32(bitPattern: (~(j &- 2) & 4) << 29)
        let sinPolynomialGivesSin = (j & 2) == 0
        signSin ^= swapSin
        // Extended-precision modular arithmetic: x = ((x − y·DP1) − y·DP2) − y·DP3.
        x = x.addingProduct(y, Float(-0.78515625))
        x = x.addingProduct(y, Float(-2.4187564849853515625e-4))
        x = x.addingProduct(y, Float(-3.77489497744594108e-8))
        let z = x * x
        var c: Float = 2.443315711809948E-005
        c = Float(-1.388731625493765E-003).addingProduct(c, z)
        c = Float(4.166664568298827E-002).addingProduct(c, z)
        c = c * z
        c = (-(z * 0.5)).addingProduct(c, z) // c·z − z·½, c·z fused
        c = c + 1
        var s: Float = -1.9515295891E-4
        s = Float(8.3321608736E-3).addingProduct(s, z)
        s = Float(-1.6666654611E-1).addingProduct(s, z)
        s = s * z
        s = x.addingProduct(s, x)
        let sinValue = sinPolynomialGivesSin ? s : c
        let cosValue = sinPolynomialGivesSin ? c : s
        return (Float(bitPattern: sinValue.bitPattern ^ signSin), Float(bitPattern: cosValue.bitPattern ^ signCos))
    }
}

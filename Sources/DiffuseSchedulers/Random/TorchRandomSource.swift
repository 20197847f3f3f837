#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `torch.Generator("cpu").manual_seed(seed)`: PyTorch's CPU generator, reproduced number for number,
/// so that a seed gives the same latents (and the same ancestral-step noise) as diffusers.
///
/// Matches, for float32 outputs, `ATen/native/cpu/DistributionTemplates.h` and
/// `ATen/core/DistributionsHelper.h` (torch 2.x):
/// * **uniform** (`torch.rand`): each element takes one 32-bit MT19937 output and keeps its low 24
///   bits: `Float(bits & 0xFFFFFF) / 2^24`.
/// * **normal, ≥ 16 elements** (`normal_fill`): first *all* `count` uniforms as above; then each full
///   block of 16 becomes normals by Box–Muller, pairing element `j` with `j + 8` (`u1 = 1 − d[j]`,
///   `u2 = d[j+8]`, `r = √(−2 ln u1)`, `θ = 2π·u2`, `d[j] = r cos θ`, `d[j+8] = r sin θ`), in float32;
///   if `count % 16 ≠ 0`, 16 *fresh* uniforms overwrite the last 16 elements and that block is
///   transformed again (so the tail overlaps the last full block).
/// * **normal, < 16 elements** (the serial path, `normal_distribution<double>`): per element, if a
///   cached value exists it is returned and cleared; otherwise two 53-bit double uniforms `u1`, `u2`
///   (each from two 32-bit outputs, first one the high word), `r = √(−2 log1p(−u2))`, `θ = 2π·u1`,
///   return `r cos θ` and cache `r sin θ` — in double, rounded to float at the end. The cache lives in
///   the generator: it survives across calls (and across ≥ 16-element draws) until reseeded.
///
/// Which float32 `log`, `sin`, `cos` the ≥ 16-element Box–Muller uses is part of torch's result:
/// * `.avxMathfun` (default): the Cephes polynomials of `ATen/native/cpu/avx_mathfun.h` in torch's
///   `CPU_CAPABILITY_AVX2` kernel, with θ = `Float(2π) · u2` in float32. *Measured*: torch 2.15 on an
///   AVX-512 Zen 4 (`get_cpu_capability() == "AVX512"`, where the fixtures were made) runs this kernel
///   too, and every fixture case matches bit for bit; the libm variant differs there by up to 34 ulp
///   near zeros of sin/cos. AVX2-only x86-64 CPUs run the same kernel by construction.
/// * `.libm`: torch's portable scalar `NormalFill16` (C library `logf`/`cosf`/`sinf`, θ computed in
///   double), what builds without the AVX2 kernel run (arm64, `ATEN_CPU_CAPABILITY=default`).
///   Written from the source; not verified against torch output.
///
/// The < 16-element path and `torch.rand` do not depend on the variant.
public struct TorchRandomSource: RandomSource, Sendable {
    private var engine: MT19937
    /// `next_double_normal_sample_` of torch's `CPUGeneratorImpl`.
    private var cachedNormal: Double?

    /// The seed passed to `manual_seed`.
    public let seed: UInt64
    /// The Box–Muller arithmetic for draws of ≥ 16 elements.
    public let boxMuller: BoxMullerVariant

    /// The float32 math torch's `normal_fill` uses (see the type's documentation).
    public enum BoxMullerVariant: Sendable {
        /// `avx_mathfun.h` polynomials: torch on x86-64.
        case avxMathfun
        /// C library `logf`, `cosf`, `sinf`: torch's portable scalar kernel.
        case libm
    }

    /// `torch.Generator("cpu").manual_seed(seed)`.
    public init(seed: UInt64, boxMuller: BoxMullerVariant = .avxMathfun) {
        self.seed = seed
        self.boxMuller = boxMuller
        engine = MT19937(seed: seed)
        cachedNormal = nil
    }

    /// One 32-bit output (`generator->random()`).
    public mutating func nextUInt32() -> UInt32 { engine.next() }

    /// One 64-bit output (`generator->random64()`): two 32-bit outputs, the first as the high word.
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(engine.next()), low = UInt64(engine.next())
        return high << 32 | low
    }

    /// `uniform_real_distribution<float>(0, 1)`: 24 random bits / 2^24.
    @inline(__always)
    mutating func uniformFloat() -> Float {
        Float(engine.next() & 0xFF_FFFF) * (1.0 / 16_777_216.0)
    }

    /// `uniform_real_distribution<double>(0, 1)`: 53 random bits / 2^53.
    @inline(__always)
    mutating func uniformDouble() -> Double {
        Double(nextUInt64() & ((1 << 53) - 1)) * (1.0 / 9_007_199_254_740_992.0)
    }

    public mutating func uniform(count: Int) -> [Float] {
        (0..<count).map { _ in uniformFloat() }
    }

    public mutating func normal(count: Int) -> [Float] {
        if count >= 16 { return normalFill(count: count) }
        return (0..<count).map { _ in Float(scalarNormal()) }
    }

    /// `normal_distribution<double>` with the generator's one-value cache.
    mutating func scalarNormal() -> Double {
        if let cached = cachedNormal {
            cachedNormal = nil
            return cached
        }
        let u1 = uniformDouble(), u2 = uniformDouble()
        let r = (-2.0 * log1p(-u2)).squareRoot()
        let theta = 2.0 * Double.pi * u1
        cachedNormal = r * sin(theta)
        return r * cos(theta)
    }

    /// `normal_fill` for float32, count ≥ 16.
    mutating func normalFill(count: Int) -> [Float] {
        var data = [Float](repeating: 0, count: count)
        data.withUnsafeMutableBufferPointer { d in
            for i in 0..<count { d[i] = uniformFloat() }
            var i = 0
            while i + 16 <= count {
                boxMuller16(d.baseAddress! + i)
                i += 16
            }
            if count % 16 != 0 {
                let tail = d.baseAddress! + count - 16
                for j in 0..<16 { tail[j] = uniformFloat() }
                boxMuller16(tail)
            }
        }
        return data
    }

    @inline(__always)
    func boxMuller16(_ d: UnsafeMutablePointer<Float>) {
        switch boxMuller {
        case .avxMathfun: Self.boxMuller16AVX(d)
        case .libm: Self.boxMuller16Libm(d)
        }
    }

    /// torch's AVX2 `NormalFill16<float>` (mean 0, std 1), lane by lane: `u1 = 1 − d[j]`,
    /// `r = √(−2 · log256_ps(u1))`, `θ = Float(2π) · d[j+8]`, `sincos256_ps(θ)`.
    static func boxMuller16AVX(_ d: UnsafeMutablePointer<Float>) {
        let twoPi = Float(2.0 * Double.pi)
        for j in 0..<8 {
            let u1: Float = 1 - d[j]
            let radius = (-2 * CephesFloatMath.log(u1)).squareRoot()
            let theta = twoPi * d[j + 8]
            let (s, c) = CephesFloatMath.sincos(theta)
            d[j] = radius * c
            d[j + 8] = radius * s
        }
    }

    /// torch's scalar `NormalFill16` (mean 0, std 1): float arithmetic except θ, which is
    /// `2.0f * pi<double> * u2` computed in double and rounded to float.
    static func boxMuller16Libm(_ d: UnsafeMutablePointer<Float>) {
        for j in 0..<8 {
            let u1: Float = 1 - d[j]
            let u2 = d[j + 8]
            let radius = (-2 * logf(u1)).squareRoot()
            let theta = Float(2.0 * Double.pi * Double(u2))
            d[j] = radius * cosf(theta)
            d[j + 8] = radius * sinf(theta)
        }
    }
}

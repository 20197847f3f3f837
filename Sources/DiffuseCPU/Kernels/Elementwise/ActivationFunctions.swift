#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCore

/// The activations as vector functions on `SIMD16<Float>`, shared by `activation`, GEGLU and GroupNorm's fused SiLU.
enum ActivationFunctions {
    typealias V = SIMD16<Float>

    /// x · σ(x)
    @inline(__always) static func silu(_ x: V) -> V { x * VectorMath.sigmoid(x) }

    /// 0.5 · x · (1 + erf(x/√2)), with 1 + erf computed without cancellation for x < 0.
    @inline(__always) static func gelu(_ x: V) -> V {
        0.5 * x * VectorMath.onePlusErf(x * 0.707_106_781_186_547_5)
    }

    /// 0.5 · x · (1 + tanh(y)), y = √(2/π)(x + 0.044715 x³), evaluated as x · σ(2y) (the same function:
    /// ½(1 + tanh y) = σ(2y)), which keeps the negative tail accurate and needs one exp.
    @inline(__always) static func geluTanh(_ x: V) -> V {
        let twoY = 2 * 0.797_884_560_802_865_4 * x.addingProduct(0.044_715 * x * x, x)
        return x * VectorMath.sigmoid(twoY)
    }

    /// x · σ(1.702 x)
    @inline(__always) static func quickGelu(_ x: V) -> V { x * VectorMath.sigmoid(1.702 * x) }

    /// max(x, 0), as torch's `clamp_min(0)`: only x < 0 is replaced, so NaN and −0 pass through.
    @inline(__always) static func relu(_ x: V) -> V { x.replacing(with: 0, where: x .< 0) }

    /// Applies `kind` to src[0..<n] → dst (serial; callers parallelise).
    @inline(__always)
    static func apply(_ kind: Activation, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
        switch kind {
        case .sigmoid: VectorMap.unary(src, dst, n) { VectorMath.sigmoid($0) }
        case .silu: VectorMap.unary(src, dst, n) { silu($0) }
        case .gelu: VectorMap.unary(src, dst, n) { gelu($0) }
        case .geluTanh: VectorMap.unary(src, dst, n) { geluTanh($0) }
        case .quickGelu: VectorMap.unary(src, dst, n) { quickGelu($0) }
        // libm's expf, element by element: used on latent-sized maps only (the VAE posterior's std),
        // where matching torch's correctly rounded exp matters more than speed.
        case .exp: for i in 0..<n { dst[i] = expf(src[i]) }
        case .relu: VectorMap.unary(src, dst, n) { relu($0) }
        // libm's tanhf, element by element, for the same reason as exp: AutoencoderTiny applies it to the
        // latents only ([N, 4, h, w]), once per decode.
        case .tanh: for i in 0..<n { dst[i] = tanhf(src[i]) }
        }
    }
}

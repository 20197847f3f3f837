import DiffuseCore
import DiffuseTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Attention in Double from the stored input values: the reference every kernel is compared with.
/// Masked-out rows give 0 (as the kernels and PyTorch ≥ 2.5 do).
enum AttentionReference {
    static func values(_ t: Tensor) -> [Double] {
        let c = t.hostConverted(to: .f32)
        return UnsafeBufferPointer(start: c.pointer(as: Float.self), count: c.count).map { Double($0) }
    }

    static func compute(_ p: AttentionProblem) -> [Double] {
        let b = p.batch, h = p.heads, lq = p.qLength, lkv = p.kvLength, d = p.headDim, dv = p.valueDim
        let q = values(p.q), k = values(p.k), v = values(p.v)
        let maskValues = p.expandedMask.map { values($0.hostContiguous()) }
        var isBoolean = false
        if case .boolean = p.mask { isBoolean = true }
        let scale = Double(p.effectiveScale)
        var out = [Double](repeating: 0, count: b * h * lq * dv)
        var s = [Double](repeating: 0, count: lkv)
        for bh in 0..<(b * h) {
            for i in 0..<lq {
                let qRow = (bh * lq + i) * d
                var m = -Double.infinity
                for j in 0..<lkv {
                    let kRow = (bh * lkv + j) * d
                    var dot = 0.0
                    for t in 0..<d { dot += q[qRow + t] * k[kRow + t] }
                    var x = dot * scale
                    if let maskValues {
                        let mv = maskValues[(bh * lq + i) * lkv + j]
                        if isBoolean { if mv == 0 { x = -.infinity } } else { x += mv }
                    }
                    if p.isCausal && j > i { x = -.infinity }
                    s[j] = x
                    m = max(m, x)
                }
                if m == -.infinity { continue }
                var sum = 0.0
                for j in 0..<lkv { s[j] = exp(s[j] - m); sum += s[j] }
                let o = (bh * lq + i) * dv
                for j in 0..<lkv where s[j] != 0 {
                    let w = s[j] / sum, vRow = (bh * lkv + j) * dv
                    for e in 0..<dv { out[o + e] += w * v[vRow + e] }
                }
            }
        }
        return out
    }

    /// Uniform values in [−scale, scale) stored in `dtype`.
    static func random(_ shape: [Int], seed: UInt64, dtype: DType = .f32, scale: Float = 1) -> Tensor {
        var rng = TestRandom(seed: seed)
        return Tensor(rng.floats(shape.reduce(1, *), scale: scale), shape: shape).hostConverted(to: dtype)
    }

    /// q, k, v for [B, H, Lq/Lkv, D]. With `headSplitLayout` they are permuted views of [B, L, H, D]
    /// storage, as diffusers' head split produces.
    static func qkv(b: Int, h: Int, lq: Int, lkv: Int, d: Int, seed: UInt64, dtype: DType = .f32,
                    headSplitLayout: Bool = false) -> (Tensor, Tensor, Tensor) {
        func make(_ l: Int, _ s: UInt64, _ scale: Float) -> Tensor {
            if headSplitLayout {
                return random([b, l, h, d], seed: s, dtype: dtype, scale: scale).permuted([0, 2, 1, 3])
            }
            return random([b, h, l, d], seed: s, dtype: dtype, scale: scale)
        }
        // q and k scaled so that scores spread over a few units (softmax neither flat nor one-hot).
        return (make(lq, seed, 2), make(lkv, seed &+ 1, 2), make(lkv, seed &+ 2, 1))
    }

    /// Tolerances per output dtype. f32: exp2 and the sums are ~1e-7 relative per step and outputs are
    /// convex combinations of v (|v| ≤ 1): atol 2e-6. f16 output: rounding to 11 bits (≤ 4.9e-4 relative):
    /// rtol 1e-3, atol 5e-4. bf16 output: 8 bits (≤ 3.9e-3): rtol 8e-3, atol 4e-3.
    static func tolerance(_ dtype: DType) -> (rtol: Double, atol: Double) {
        switch dtype {
        case .f16: (1e-3, 5e-4)
        case .bf16: (8e-3, 4e-3)
        default: (1e-5, 2e-6)
        }
    }
}

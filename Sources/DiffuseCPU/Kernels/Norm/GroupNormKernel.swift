/// GroupNorm. x, out: [N, C, S] contiguous f32 (S = product of spatial sizes); weight, bias: [C] or nil.
/// Group g of sample n is the contiguous run of C/G channels × S; one task per (n, g), across threads.
/// Per channel y = (x − mean)·scale + bias with scale = rstd·weight (then SiLU when fused). Folding the
/// mean into the shift (x·scale + shift) saves a subtraction but cancels catastrophically when
/// |mean| ≫ std (an error of ~1e-3 at mean 100, std 0.01), so the mean is subtracted first.
enum GroupNormKernel {
    static func run(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
                    spatial: Int, groups: Int, weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?,
                    eps: Float, fusedSiLU: Bool) {
        let perGroup = channels / groups
        let groupSize = perGroup * spatial
        if groupSize == 0 { return }
        Parallel.forRanges(batch * groups) { tasks in
            for task in tasks {
                let g = task % groups
                let base = task * groupSize
                let (mean, variance) = Moments.meanAndVariance(x + base, groupSize)
                let rstd = Moments.reciprocalStd(variance, eps: eps)
                for k in 0..<perGroup {
                    let c = g * perGroup + k
                    let scale = rstd * (weight?[c] ?? 1)
                    let shift = bias?[c] ?? 0
                    let src = x + base + k * spatial, dst = out + base + k * spatial
                    if fusedSiLU {
                        VectorMap.unary(src, dst, spatial) { ActivationFunctions.silu(($0 - mean) * scale + shift) }
                    } else {
                        VectorMap.unary(src, dst, spatial) { ($0 - mean) * scale + shift }
                    }
                }
            }
        }
    }
}

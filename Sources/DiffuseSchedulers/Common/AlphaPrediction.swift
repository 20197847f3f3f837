import DiffuseCore

/// The predicted original sample x₀ of the alpha-based schedulers (DDIM, LCM): step 3 / 4 of
/// `step()` in `diffusers/schedulers/scheduling_ddim.py` and `scheduling_lcm.py` (identical code),
/// float32 in diffusers' order, then `clip_sample`.
enum AlphaPrediction {
    static let predictionTypes = ["epsilon", "v_prediction", "sample"]

    /// `pred_original_sample` from the model output `m` and the sample `x` (same shape) at ᾱ_t:
    /// epsilon `(x − √β·m) / √ᾱ`, sample `m`, v_prediction `√ᾱ·x − √β·m` (β = 1 − ᾱ).
    static func originalSample(_ m: Tensor, _ x: Tensor, alphaProdT: Float, predictionType: String,
                               _ backend: any Backend) -> Tensor {
        let sqrtAlpha = alphaProdT.squareRoot(), sqrtBeta = (1 - alphaProdT).squareRoot()
        switch predictionType {
        case "epsilon": return backend.divide(backend.linearCombination([(1, x), (-sqrtBeta, m)]), by: sqrtAlpha)
        case "sample": return m
        default: return backend.linearCombination([(sqrtAlpha, x), (-sqrtBeta, m)]) // v_prediction
        }
    }

    /// `pred_original_sample.clamp(-clip_sample_range, clip_sample_range)` when `clip_sample` is set.
    static func clipped(_ x0: Tensor, _ config: SchedulerConfig, _ backend: any Backend) -> Tensor {
        guard config.clipSample else { return x0 }
        let r = Float(config.clipSampleRange)
        return backend.clamp(x0, lower: -r, upper: r)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sigma-schedule helpers shared by the k-diffusion-style schedulers (Euler, Euler a, LMS, DPM-Solver++):
/// the code of `scheduling_euler_discrete.py` (`set_timesteps`, `_convert_to_karras`, `_sigma_to_t`).
enum SigmaSchedule {
    /// Inference timesteps for `timestep_spacing` as diffusers' Euler / LMS compute them (float64 before
    /// the caller's cast): `linspace` = `np.linspace(0, T − 1, n)` reversed; `leading` =
    /// `round(arange(n) · (T // n))` reversed `+ steps_offset`; `trailing` = `round(arange(T, 0, −T/n)) − 1`.
    static func timesteps(spacing: String, steps n: Int, numTrainTimesteps t: Int, stepsOffset: Int,
                          scheduler: String) throws -> [Double] {
        switch spacing {
        case "linspace":
            return NumpyMath.linspace(0, Double(t - 1), n).reversed()
        case "leading":
            let ratio = t / n
            return (0..<n).reversed().map { Double($0 * ratio) + Double(stepsOffset) }
        case "trailing":
            let ratio = Double(t) / Double(n)
            return NumpyMath.arange(Double(t), 0, -ratio).map { NumpyMath.round($0) - 1 }
        default:
            throw SchedulerError.unsupportedConfigValue(
                scheduler: scheduler, key: "timestep_spacing", value: spacing,
                supported: ["linspace", "leading", "trailing"])
        }
    }

    /// `_convert_to_karras`: ρ = 7 ramp from σ_max to σ_min (float64).
    static func karras(sigmaMin: Double, sigmaMax: Double, steps n: Int) -> [Double] {
        let rho = 7.0
        let ramp = NumpyMath.linspace(0, 1, n)
        let minInvRho = pow(sigmaMin, 1 / rho), maxInvRho = pow(sigmaMax, 1 / rho)
        return ramp.map { pow(maxInvRho + $0 * (minInvRho - maxInvRho), rho) }
    }

    /// `_sigma_to_t`: the fractional training timestep whose log-sigma interpolates to `sigma`.
    /// `logSigmas` = `np.log(float32 sigmas)` (float32 values).
    static func sigmaToT(_ sigma: Double, logSigmas: [Float]) -> Double {
        let logSigma = log(max(sigma, 1e-10))
        // low_idx = last index with log_sigma − log_sigmas[i] ≥ 0 among the leading run (cumsum.argmax),
        // clipped to count − 2.
        var count = 0
        var lowIndex = 0, best = -1
        for (i, ls) in logSigmas.enumerated() {
            if logSigma - Double(ls) >= 0 { count += 1 }
            if count > best { best = count; lowIndex = i }
        }
        lowIndex = min(lowIndex, logSigmas.count - 2)
        let low = Double(logSigmas[lowIndex]), high = Double(logSigmas[lowIndex + 1])
        var w = (low - logSigma) / (low - high)
        w = min(max(w, 0), 1)
        return (1 - w) * Double(lowIndex) + w * Double(lowIndex + 1)
    }

    /// `index_for_timestep`: the first index whose timestep equals `timestep`, or the second when there are
    /// several (diffusers' rule for img2img starting mid-schedule); nil when absent.
    static func index(of timestep: Double, in timesteps: [Double]) -> Int? {
        let matches = timesteps.indices.filter { timesteps[$0] == timestep }
        return matches.count > 1 ? matches[1] : matches.first
    }
}

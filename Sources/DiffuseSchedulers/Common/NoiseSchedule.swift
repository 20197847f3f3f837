#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The training noise schedule shared by all schedulers: `betas`, `alphas_cumprod` (float32, as the
/// diffusers scheduler `__init__`s build them), from `beta_schedule`, `beta_start`, `beta_end`,
/// `num_train_timesteps` or `trained_betas`.
///
/// Matches `betas` / `alphas_cumprod` of `scheduling_ddim.py` (identical code in every scheduler):
/// `linear` = `torch.linspace(beta_start, beta_end, n, float32)`; `scaled_linear` =
/// `torch.linspace(√beta_start, √beta_end, n, float32) ** 2`; `squaredcos_cap_v2` =
/// `betas_for_alpha_bar(n)` (cosine, max β 0.999, computed in double); then `alphas = 1 − betas` and
/// `alphas_cumprod = torch.cumprod(alphas)`. With `rescale_betas_zero_snr`, the betas first go through
/// `rescale_zero_terminal_snr` (Lin et al. 2023, float32 as in diffusers), and the sigma-based
/// schedulers then set the last `alphas_cumprod` to 2⁻²⁴ so that σ_max stays finite (4096).
public struct NoiseSchedule: Sendable, Equatable {
    public let betas: [Float]
    public let alphasCumprod: [Float]

    public static let supportedBetaSchedules = ["linear", "scaled_linear", "squaredcos_cap_v2"]
    /// The most training timesteps a config may declare: real models use 1000; the schedule's arrays are
    /// this long, so a hostile `num_train_timesteps` (10⁹) is refused before anything is allocated.
    public static let maxTrainTimesteps = 100_000

    /// - Parameters:
    ///   - honoursZeroSNR: whether the class reads `rescale_betas_zero_snr` (DDIM, Euler, Euler a,
    ///     DPM-Solver do; PNDM and LMS have no such argument, so diffusers' `from_config` ignores the key).
    ///   - clampsTerminalAlpha: set `alphas_cumprod[-1] = 2⁻²⁴` after rescaling (Euler, Euler a, DPM-Solver).
    public init(config: SchedulerConfig, scheduler: String, honoursZeroSNR: Bool = true,
                clampsTerminalAlpha: Bool = false) throws {
        let n = config.numTrainTimesteps
        func invalid(_ key: String, _ value: String, _ expected: String) -> SchedulerError {
            .invalidConfigValue(scheduler: scheduler, key: key, value: value, expected: expected)
        }
        guard n >= 1, n <= Self.maxTrainTimesteps else {
            throw invalid("num_train_timesteps", "\(n)", "1 … \(Self.maxTrainTimesteps); real models use 1000")
        }
        let betas: [Float]
        if let trained = config.trainedBetas {
            guard trained.count == n else {
                throw invalid("trained_betas", "a list of \(trained.count)", "one β per training timestep: num_train_timesteps = \(n)")
            }
            betas = trained.map { Float($0) }
        } else {
            for (key, value) in [("beta_start", config.betaStart), ("beta_end", config.betaEnd)]
            where !(value > 0 && value < 1) {
                throw invalid(key, "\(value)", "a β between 0 and 1, exclusive")
            }
            switch config.betaSchedule {
            case "linear":
                betas = NumpyMath.torchLinspaceFloat(config.betaStart, config.betaEnd, n)
            case "scaled_linear":
                betas = NumpyMath.torchLinspaceFloat(config.betaStart.squareRoot(), config.betaEnd.squareRoot(), n)
                    .map { $0 * $0 }
            case "squaredcos_cap_v2":
                betas = Self.betasForAlphaBar(n)
            default:
                throw SchedulerError.unsupportedConfigValue(
                    scheduler: scheduler, key: "beta_schedule", value: config.betaSchedule,
                    supported: Self.supportedBetaSchedules)
            }
        }
        if let i = betas.firstIndex(where: { !($0 > 0 && $0 < 1) }) {
            throw invalid(config.trainedBetas == nil ? "beta_schedule" : "trained_betas", "β[\(i)] = \(betas[i])",
                          "every β between 0 and 1, exclusive: 1 − β is the signal kept at each step")
        }
        let rescale = honoursZeroSNR && config.rescaleBetasZeroSnr
        self.betas = rescale ? Self.rescaleZeroTerminalSNR(betas) : betas
        var cumprod = NumpyMath.torchCumprod(self.betas.map { 1 - $0 })
        if rescale && clampsTerminalAlpha { cumprod[cumprod.count - 1] = 0x1p-24 }
        alphasCumprod = cumprod
    }

    /// `rescale_zero_terminal_snr(betas)`: shifts and scales √ᾱ so that the last step has zero SNR.
    static func rescaleZeroTerminalSNR(_ betas: [Float]) -> [Float] {
        let alphasCumprod = NumpyMath.torchCumprod(betas.map { 1 - $0 })
        var sqrtBar = alphasCumprod.map { $0.squareRoot() }
        let first = sqrtBar[0], last = sqrtBar[sqrtBar.count - 1]
        let scale = first / (first - last)
        sqrtBar = sqrtBar.map { ($0 - last) * scale }
        let bar = sqrtBar.map { $0 * $0 }
        let alphas = [bar[0]] + (1..<bar.count).map { bar[$0] / bar[$0 - 1] }
        return alphas.map { 1 - $0 }
    }

    /// `betas_for_alpha_bar(n, max_beta=0.999, alpha_transform_type="cosine")`.
    static func betasForAlphaBar(_ n: Int, maxBeta: Double = 0.999) -> [Float] {
        func alphaBar(_ t: Double) -> Double {
            let c = cos((t + 0.008) / 1.008 * Double.pi / 2)
            return c * c
        }
        return (0..<n).map { i in
            let t1 = Double(i) / Double(n), t2 = Double(i + 1) / Double(n)
            return Float(min(1 - alphaBar(t2) / alphaBar(t1), maxBeta))
        }
    }

    /// Karras-style sigmas of the training schedule: `((1 − ᾱ) / ᾱ) ** 0.5` in float32, index = timestep.
    public var trainSigmas: [Float] {
        alphasCumprod.map { ((1 - $0) / $0).squareRoot() }
    }
}

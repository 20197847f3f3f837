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
/// `alphas_cumprod = torch.cumprod(alphas)`.
public struct NoiseSchedule: Sendable, Equatable {
    public let betas: [Float]
    public let alphasCumprod: [Float]

    public static let supportedBetaSchedules = ["linear", "scaled_linear", "squaredcos_cap_v2"]

    public init(config: SchedulerConfig, scheduler: String) throws {
        if config.rescaleBetasZeroSnr {
            throw SchedulerError.unsupportedConfigValue(
                scheduler: scheduler, key: "rescale_betas_zero_snr", value: "true", supported: ["false"])
        }
        let n = config.numTrainTimesteps
        let betas: [Float]
        if let trained = config.trainedBetas {
            betas = trained.map { Float($0) }
        } else {
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
        self.betas = betas
        alphasCumprod = NumpyMath.torchCumprod(betas.map { 1 - $0 })
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

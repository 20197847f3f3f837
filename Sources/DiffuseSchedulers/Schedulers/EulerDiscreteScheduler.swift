import DiffuseCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Euler's method on the probability-flow ODE (k-diffusion's `sample_euler`, Karras et al. 2022,
/// Algorithm 2 with no churn).
///
/// Matches `diffusers/schedulers/scheduling_euler_discrete.py` (`EulerDiscreteScheduler`, diffusers
/// 0.42): `set_timesteps(n)`, `scale_model_input`, `step` with the default `s_churn = 0`, `add_noise`.
///
/// Supported: `beta_schedule` linear / scaled_linear / squaredcos_cap_v2 or `trained_betas`;
/// `prediction_type` epsilon / v_prediction / sample; `timestep_spacing` linspace / leading / trailing;
/// `steps_offset`; `interpolation_type` linear; `use_karras_sigmas` (with `sigma_min` / `sigma_max`);
/// `final_sigmas_type` zero / sigma_min; `timestep_type` discrete / continuous;
/// `rescale_betas_zero_snr`. Not supported:
/// `interpolation_type` log_linear, `use_exponential_sigmas`, `use_beta_sigmas`.
public struct EulerDiscreteScheduler: SigmaScheduler {
    public static let diffusersClassName = "EulerDiscreteScheduler"

    public let config: SchedulerConfig
    public let noiseSchedule: NoiseSchedule
    public private(set) var timesteps: [Double] = []
    public private(set) var sigmas: [Float]?
    public private(set) var stepIndex: Int?
    public private(set) var beginIndex: Int?

    public init(config: SchedulerConfig) throws {
        try Self.validatePrediction(config)
        guard config.interpolationType == "linear" else {
            throw Self.unsupported("interpolation_type", config.interpolationType, supported: ["linear"])
        }
        if config.useExponentialSigmas { throw Self.unsupported("use_exponential_sigmas", true, supported: ["false"]) }
        if config.useBetaSigmas { throw Self.unsupported("use_beta_sigmas", true, supported: ["false"]) }
        guard ["zero", "sigma_min"].contains(config.finalSigmasType) else {
            throw Self.unsupported("final_sigmas_type", config.finalSigmasType, supported: ["zero", "sigma_min"])
        }
        guard ["discrete", "continuous"].contains(config.timestepType) else {
            throw Self.unsupported("timestep_type", config.timestepType, supported: ["discrete", "continuous"])
        }
        self.config = config
        noiseSchedule = try NoiseSchedule(config: config, scheduler: Self.diffusersClassName, clampsTerminalAlpha: true)
        _ = try SigmaSchedule.timesteps(spacing: config.timestepSpacing, steps: 1, numTrainTimesteps: config.numTrainTimesteps,
                                        stepsOffset: config.stepsOffset, scheduler: Self.diffusersClassName)
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.validateStepCount(steps, config)
        // Timesteps are float32 in diffusers (`astype(np.float32)`).
        var ts = try SigmaSchedule.timesteps(
            spacing: config.timestepSpacing, steps: steps, numTrainTimesteps: config.numTrainTimesteps,
            stepsOffset: config.stepsOffset, scheduler: Self.diffusersClassName
        ).map { Double(Float($0)) }
        var sigmaValues = Self.interpolatedSigmas(noiseSchedule, at: ts)
        if config.useKarrasSigmas {
            let logSigmas = noiseSchedule.trainSigmas.map { logf($0) }
            sigmaValues = SigmaSchedule.karras(sigmaMin: config.sigmaMin ?? sigmaValues.last!,
                                               sigmaMax: config.sigmaMax ?? sigmaValues.first!, steps: steps)
            ts = sigmaValues.map { Double(Float(SigmaSchedule.sigmaToT($0, logSigmas: logSigmas))) }
        }
        let last: Float
        if config.finalSigmasType == "sigma_min" {
            let a0 = noiseSchedule.alphasCumprod[0]
            last = ((1 - a0) / a0).squareRoot()
        } else {
            last = 0
        }
        let s = sigmaValues.map { Float($0) } + [last]
        if config.timestepType == "continuous" && config.predictionType == "v_prediction" {
            ts = s.dropLast().map { Double(0.25 * logf($0)) }
        }
        sigmas = s
        timesteps = ts
        stepIndex = nil
        beginIndex = nil
    }

    public mutating func setBeginIndex(_ index: Int) { beginIndex = index }

    public mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                               random: inout R, on backend: any Backend) throws -> Tensor {
        let i = try index(for: timestep)
        let (m, x) = try operands(modelOutput, sample, backend)
        let sigma = sigmas![i]
        let sigmaHat = sigma * (0 + 1) // gamma = 0 (s_churn = 0)
        let predOriginal = config.predictionType == "epsilon"
            ? backend.linearCombination([(1, x), (-sigmaHat, m)])
            : predictOriginal(m, x, sigma: sigma, backend)
        let dt = sigmas![i + 1] - sigmaHat
        stepIndex = i + 1
        return eulerStep(x, predOriginal: predOriginal, sigma: sigmaHat, dt: dt, noise: nil, backend)
    }
}

import DiffuseCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Linear multistep (k-diffusion's `sample_lms`, up to 4th order).
///
/// Matches `diffusers/schedulers/scheduling_lms_discrete.py` (`LMSDiscreteScheduler`, diffusers 0.42):
/// `set_timesteps`, `scale_model_input`, `step` (default `order = 4`), `get_lms_coefficient`,
/// `add_noise`.
///
/// The LMS coefficients are integrals of Lagrange basis polynomials (degree ≤ 3) over [σ_i, σ_{i+1}].
/// diffusers integrates them numerically with `scipy.integrate.quad` (epsrel 1e-4) on an integrand it
/// evaluates in float32; here they are integrated exactly (4-point Gauss–Legendre, exact for degree ≤ 7)
/// in double. The two agree to ~1e-7 relative — float32 rounding of the integrand — which is below the
/// float32 resolution of the samples the coefficients multiply.
///
/// Supported: `beta_schedule` linear / scaled_linear / squaredcos_cap_v2 or `trained_betas`;
/// `prediction_type` epsilon / v_prediction / sample; `timestep_spacing` linspace / leading / trailing;
/// `steps_offset`; `use_karras_sigmas` (LMS's own variant: σ_min / σ_max from the schedule, not the
/// config). Not supported: `use_exponential_sigmas`, `use_beta_sigmas`. `rescale_betas_zero_snr` is
/// ignored, as diffusers' `LMSDiscreteScheduler.from_config` ignores it.
public struct LMSDiscreteScheduler: SigmaScheduler {
    public static let diffusersClassName = "LMSDiscreteScheduler"

    public let config: SchedulerConfig
    public let noiseSchedule: NoiseSchedule
    public private(set) var timesteps: [Double] = []
    public private(set) var sigmas: [Float]?
    public private(set) var stepIndex: Int?
    public private(set) var beginIndex: Int?
    /// The maximum order (`order` argument of diffusers' `step`, default 4).
    public var lmsOrder = 4

    private var derivatives: [Tensor] = []

    public init(config: SchedulerConfig) throws {
        try Self.validatePrediction(config)
        if config.useExponentialSigmas { throw Self.unsupported("use_exponential_sigmas", true, supported: ["false"]) }
        if config.useBetaSigmas { throw Self.unsupported("use_beta_sigmas", true, supported: ["false"]) }
        self.config = config
        noiseSchedule = try NoiseSchedule(config: config, scheduler: Self.diffusersClassName, honoursZeroSNR: false)
        _ = try SigmaSchedule.timesteps(spacing: config.timestepSpacing, steps: 1, numTrainTimesteps: config.numTrainTimesteps,
                                        stepsOffset: config.stepsOffset, scheduler: Self.diffusersClassName)
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.validateStepCount(steps, config)
        timesteps = try SigmaSchedule.timesteps(
            spacing: config.timestepSpacing, steps: steps, numTrainTimesteps: config.numTrainTimesteps,
            stepsOffset: config.stepsOffset, scheduler: Self.diffusersClassName
        ).map { Double(Float($0)) }
        var sigmaValues = Self.interpolatedSigmas(noiseSchedule, at: timesteps)
        if config.useKarrasSigmas {
            let logSigmas = noiseSchedule.trainSigmas.map { logf($0) }
            sigmaValues = SigmaSchedule.karras(sigmaMin: sigmaValues.last!, sigmaMax: sigmaValues.first!, steps: steps)
            timesteps = sigmaValues.map { Double(Float(SigmaSchedule.sigmaToT($0, logSigmas: logSigmas))) }
        }
        sigmas = sigmaValues.map { Float($0) } + [0]
        derivatives = []
        stepIndex = nil
        beginIndex = nil
    }

    public mutating func setBeginIndex(_ index: Int) { beginIndex = index }

    /// `get_lms_coefficient(order, t, current_order)`: ∫_{σ_t}^{σ_{t+1}} Π_{k≠j} (τ − σ_{t−k}) / (σ_{t−j} − σ_{t−k}) dτ.
    func coefficient(order: Int, index t: Int, current j: Int) -> Double {
        let s = sigmas!.map(Double.init)
        func basis(_ tau: Double) -> Double {
            var product = 1.0
            for k in 0..<order where k != j {
                product *= (tau - s[t - k]) / (s[t - j] - s[t - k])
            }
            return product
        }
        // 4-point Gauss–Legendre on [a, b].
        let a = s[t], b = s[t + 1]
        let nodes: [(x: Double, w: Double)] = [
            (-0.861_136_311_594_052_6, 0.347_854_845_137_453_9), (-0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
            (0.339_981_043_584_856_3, 0.652_145_154_862_546_1), (0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
        ]
        let half = (b - a) / 2, mid = (a + b) / 2
        return half * nodes.reduce(0) { $0 + $1.w * basis(mid + half * $1.x) }
    }

    public mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                               random: inout R, on backend: any Backend) throws -> Tensor {
        let i = try index(for: timestep)
        let (m, x) = try operands(modelOutput, sample, backend)
        let sigma = sigmas![i]
        let predOriginal = predictOriginal(m, x, sigma: sigma, backend)
        derivatives.append(backend.divide(backend.sub(x, predOriginal), by: sigma))
        if derivatives.count > lmsOrder { derivatives.removeFirst() }
        let order = min(i + 1, lmsOrder)
        let coefficients = (0..<order).map { Float(coefficient(order: order, index: i, current: $0)) }
        // prev = sample + sum(coeff · derivative for coeff, derivative in zip(coeffs, reversed(derivatives)))
        let sum = backend.linearCombination(coefficients.enumerated().map { j, c in (c, derivatives[derivatives.count - 1 - j]) })
        stepIndex = i + 1
        return backend.add(x, sum)
    }
}

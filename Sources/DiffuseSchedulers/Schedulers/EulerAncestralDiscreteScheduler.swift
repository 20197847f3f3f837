import DiffuseCore

/// Ancestral sampling with Euler steps ("Euler a", k-diffusion's `sample_euler_ancestral`): each step
/// goes down to σ_down deterministically and adds fresh noise of σ_up.
///
/// Matches `diffusers/schedulers/scheduling_euler_ancestral_discrete.py`
/// (`EulerAncestralDiscreteScheduler`, diffusers 0.42): `set_timesteps`, `scale_model_input`, `step`,
/// `add_noise`. Every `step` draws `randn(sample.shape)` from the random source — including the last
/// one, where σ_up = 0 — so the stream stays aligned with diffusers' generator.
///
/// Supported: `beta_schedule` linear / scaled_linear / squaredcos_cap_v2 or `trained_betas`;
/// `prediction_type` epsilon / v_prediction / sample; `timestep_spacing` linspace / leading / trailing;
/// `steps_offset`; `rescale_betas_zero_snr`.
public struct EulerAncestralDiscreteScheduler: SigmaScheduler {
    public static let diffusersClassName = "EulerAncestralDiscreteScheduler"

    public let config: SchedulerConfig
    public let noiseSchedule: NoiseSchedule
    public private(set) var timesteps: [Double] = []
    public private(set) var sigmas: [Float]?
    public private(set) var stepIndex: Int?
    public private(set) var beginIndex: Int?
    public var usesRandomness: Bool { true }

    public init(config: SchedulerConfig) throws {
        try Self.validatePrediction(config)
        self.config = config
        noiseSchedule = try NoiseSchedule(config: config, scheduler: Self.diffusersClassName, clampsTerminalAlpha: true)
        _ = try SigmaSchedule.timesteps(spacing: config.timestepSpacing, steps: 1, numTrainTimesteps: config.numTrainTimesteps,
                                        stepsOffset: config.stepsOffset, scheduler: Self.diffusersClassName)
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.validateStepCount(steps, config)
        timesteps = try SigmaSchedule.timesteps(
            spacing: config.timestepSpacing, steps: steps, numTrainTimesteps: config.numTrainTimesteps,
            stepsOffset: config.stepsOffset, scheduler: Self.diffusersClassName
        ).map { Double(Float($0)) }
        sigmas = Self.interpolatedSigmas(noiseSchedule, at: timesteps).map { Float($0) } + [0]
        stepIndex = nil
        beginIndex = nil
    }

    public mutating func setBeginIndex(_ index: Int) { beginIndex = index }

    public mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                               random: inout R, on backend: any Backend) throws -> Tensor {
        let i = try index(for: timestep)
        let (m, x) = try operands(modelOutput, sample, backend)
        let sigma = sigmas![i]
        let predOriginal = predictOriginal(m, x, sigma: sigma, backend)
        let sigmaFrom = sigma, sigmaTo = sigmas![i + 1]
        let sigmaUp = (sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo) / (sigmaFrom * sigmaFrom)).squareRoot()
        let sigmaDown = (sigmaTo * sigmaTo - sigmaUp * sigmaUp).squareRoot()
        let dt = sigmaDown - sigma
        let z = noise(sample.shape, &random, backend)
        stepIndex = i + 1
        return eulerStep(x, predOriginal: predOriginal, sigma: sigma, dt: dt, noise: (z, sigmaUp), backend)
    }
}

import DiffuseCore

/// Denoising diffusion implicit models: the SD 2.x default scheduler.
///
/// Matches `diffusers/schedulers/scheduling_ddim.py` (`DDIMScheduler`, diffusers 0.42): `set_timesteps`,
/// `step` (with `eta`, default 0 = deterministic; `use_clipped_model_output` false), `add_noise`.
///
/// Supported: `beta_schedule` linear / scaled_linear / squaredcos_cap_v2 or `trained_betas`;
/// `prediction_type` epsilon / v_prediction / sample; `timestep_spacing` leading / trailing / linspace;
/// `steps_offset`; `set_alpha_to_one`; `clip_sample` with `clip_sample_range`;
/// `rescale_betas_zero_snr`. Not supported: `thresholding` (dynamic thresholding).
public struct DDIMScheduler: Scheduler {
    public static let diffusersClassName = "DDIMScheduler"

    public let config: SchedulerConfig
    public let noiseSchedule: NoiseSchedule
    public private(set) var timesteps: [Double] = []
    public var initNoiseSigma: Float { 1 }
    /// η of the DDIM paper: 0 = DDIM (deterministic), 1 = DDPM-like. With η > 0 `step` draws
    /// `randn(sample.shape)` from the random source, as diffusers does from its generator.
    public var eta: Float = 0
    public var usesRandomness: Bool { eta > 0 }

    let finalAlphaCumprod: Float
    private var numInferenceSteps = 0

    public init(config: SchedulerConfig) throws {
        guard AlphaPrediction.predictionTypes.contains(config.predictionType) else {
            throw Self.unsupported("prediction_type", config.predictionType, supported: AlphaPrediction.predictionTypes)
        }
        if config.thresholding { throw Self.unsupported("thresholding", true, supported: ["false"]) }
        guard ["linspace", "leading", "trailing"].contains(config.timestepSpacing) else {
            throw Self.unsupported("timestep_spacing", config.timestepSpacing, supported: ["linspace", "leading", "trailing"])
        }
        self.config = config
        noiseSchedule = try NoiseSchedule(config: config, scheduler: Self.diffusersClassName)
        finalAlphaCumprod = config.setAlphaToOne ? 1 : noiseSchedule.alphasCumprod[0]
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.validateStepCount(steps, config)
        let config = config
        try TimestepCheck.require(Self.diffusersClassName, steps: steps, numTrainTimesteps: config.numTrainTimesteps) {
            Self.inferenceTimesteps(config, steps: $0)
        }
        numInferenceSteps = steps
        timesteps = Self.inferenceTimesteps(config, steps: steps)
    }

    /// `set_timesteps`' schedule for `timestep_spacing` (descending).
    static func inferenceTimesteps(_ config: SchedulerConfig, steps: Int) -> [Double] {
        let t = config.numTrainTimesteps
        switch config.timestepSpacing {
        case "linspace":
            return NumpyMath.linspace(0, Double(t - 1), steps).reversed().map(NumpyMath.round)
        case "leading":
            return (0..<steps).reversed().map { Double($0 * (t / steps) + config.stepsOffset) }
        default: // trailing
            return NumpyMath.arange(Double(t), 0, -Double(t) / Double(steps)).map { NumpyMath.round($0) - 1 }
        }
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor { sample }

    public mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                               random: inout R, on backend: any Backend) throws -> Tensor {
        try requireTimesteps()
        let (m, x) = try operands(modelOutput, sample, backend)
        let t = Int(timestep)
        let prevT = t - config.numTrainTimesteps / numInferenceSteps
        let ac = noiseSchedule.alphasCumprod
        let alphaProdT = ac[t]
        let alphaProdTPrev = prevT >= 0 ? ac[prevT] : finalAlphaCumprod
        let betaProdT = 1 - alphaProdT
        let sqrtAlpha = alphaProdT.squareRoot(), sqrtBeta = betaProdT.squareRoot()

        let predOriginal = AlphaPrediction.clipped(AlphaPrediction.originalSample(
            m, x, alphaProdT: alphaProdT, predictionType: config.predictionType, backend), config, backend)
        let predEpsilon: Tensor
        switch config.predictionType {
        case "epsilon": predEpsilon = m
        case "sample": predEpsilon = backend.divide(backend.linearCombination([(1, x), (-sqrtAlpha, m)]), by: sqrtBeta)
        default: predEpsilon = backend.linearCombination([(sqrtAlpha, m), (sqrtBeta, x)]) // v_prediction
        }
        // _get_variance, std_dev_t = eta · √variance
        let betaProdTPrev = 1 - alphaProdTPrev
        let variance = (betaProdTPrev / betaProdT) * (1 - alphaProdT / alphaProdTPrev)
        let stdDevT = eta * variance.squareRoot()
        let directionCoeff = (1 - alphaProdTPrev - stdDevT * stdDevT).squareRoot()
        let sqrtAlphaPrev = alphaProdTPrev.squareRoot()
        var prev = backend.linearCombination([(sqrtAlphaPrev, predOriginal), (directionCoeff, predEpsilon)])
        if eta > 0 {
            prev = backend.linearCombination([(1, prev), (stdDevT, noise(sample.shape, &random, backend))])
        }
        return prev
    }

    public func addNoise(to original: Tensor, noise: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor {
        try AlphaNoise.addNoise(original, noise, alphaCumprod: noiseSchedule.alphasCumprod[Int(timestep)],
                                scheduler: Self.diffusersClassName, backend)
    }
}

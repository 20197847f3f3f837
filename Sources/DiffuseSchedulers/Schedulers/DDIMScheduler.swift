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
        guard ["epsilon", "v_prediction", "sample"].contains(config.predictionType) else {
            throw Self.unsupported("prediction_type", config.predictionType, supported: ["epsilon", "v_prediction", "sample"])
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
        numInferenceSteps = steps
        let t = config.numTrainTimesteps
        switch config.timestepSpacing {
        case "linspace":
            timesteps = NumpyMath.linspace(0, Double(t - 1), steps).reversed().map(NumpyMath.round)
        case "leading":
            timesteps = (0..<steps).reversed().map { Double($0 * (t / steps) + config.stepsOffset) }
        default: // trailing
            timesteps = NumpyMath.arange(Double(t), 0, -Double(t) / Double(steps)).map { NumpyMath.round($0) - 1 }
        }
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Double) throws -> Tensor { sample }

    public mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                               random: inout R) throws -> Tensor {
        try requireTimesteps()
        let (m, x) = try operands(modelOutput, sample)
        let t = Int(timestep)
        let prevT = t - config.numTrainTimesteps / numInferenceSteps
        let ac = noiseSchedule.alphasCumprod
        let alphaProdT = ac[t]
        let alphaProdTPrev = prevT >= 0 ? ac[prevT] : finalAlphaCumprod
        let betaProdT = 1 - alphaProdT
        let sqrtAlpha = alphaProdT.squareRoot(), sqrtBeta = betaProdT.squareRoot()
        let n = x.count

        var predOriginal: [Float], predEpsilon: [Float]
        switch config.predictionType {
        case "epsilon":
            predOriginal = (0..<n).map { (x[$0] - sqrtBeta * m[$0]) / sqrtAlpha }
            predEpsilon = m
        case "sample":
            predOriginal = m
            predEpsilon = (0..<n).map { (x[$0] - sqrtAlpha * m[$0]) / sqrtBeta }
        default: // v_prediction
            predOriginal = (0..<n).map { sqrtAlpha * x[$0] - sqrtBeta * m[$0] }
            predEpsilon = (0..<n).map { sqrtAlpha * m[$0] + sqrtBeta * x[$0] }
        }
        if config.clipSample {
            let r = Float(config.clipSampleRange)
            predOriginal = predOriginal.map { min(max($0, -r), r) }
        }
        // _get_variance, std_dev_t = eta · √variance
        let betaProdTPrev = 1 - alphaProdTPrev
        let variance = (betaProdTPrev / betaProdT) * (1 - alphaProdT / alphaProdTPrev)
        let stdDevT = eta * variance.squareRoot()
        let directionCoeff = (1 - alphaProdTPrev - stdDevT * stdDevT).squareRoot()
        let sqrtAlphaPrev = alphaProdTPrev.squareRoot()
        var prev = (0..<n).map { sqrtAlphaPrev * predOriginal[$0] + directionCoeff * predEpsilon[$0] }
        if eta > 0 {
            let noise = random.normal(count: n)
            prev = (0..<n).map { prev[$0] + stdDevT * noise[$0] }
        }
        return Tensor(prev, shape: sample.shape)
    }

    public func addNoise(to original: Tensor, noise: Tensor, timestep: Double) throws -> Tensor {
        try AlphaNoise.addNoise(original, noise, alphaCumprod: noiseSchedule.alphasCumprod[Int(timestep)],
                                scheduler: Self.diffusersClassName)
    }
}

import DiffuseCore

/// Latent consistency models (Luo et al. 2023): multistep consistency sampling, for LCM-distilled UNets
/// and LCM-LoRAs (2–8 steps, guidance ≈ 1). Each step maps the sample to the consistency function's
/// denoised estimate, then re-noises it to the next timestep with fresh noise.
///
/// Matches `diffusers/schedulers/scheduling_lcm.py` (`LCMScheduler`, diffusers 0.42): `set_timesteps`
/// (without custom `timesteps`), `get_scalings_for_boundary_condition_discrete`, `step`, `add_noise`.
/// * Timesteps: the distillation schedule `lcm_origin_timesteps` = `k·i − 1` for i = 1…⌊N·strength⌋
///   (N = `original_inference_steps`, k = `num_train_timesteps` // N), reversed; `steps` of them at indices
///   `⌊linspace(0, len, steps, endpoint=False)⌋`. `timestep_spacing` and `steps_offset` play no part.
/// * `step`: x₀ from the model output (`AlphaPrediction`), `denoised = c_out·x₀ + c_skip·x` with the
///   boundary scalings at `timestep · timestep_scaling`; then, on every step but the last of the
///   `steps`-long schedule, `prev = √ᾱ_prev·denoised + √(1 − ᾱ_prev)·z` with `z = randn(sample.shape)` drawn
///   from the random source (the pipeline's generator); the last step returns `denoised`.
///
/// Supported: `beta_schedule` linear / scaled_linear / squaredcos_cap_v2 or `trained_betas`;
/// `prediction_type` epsilon / v_prediction / sample; `original_inference_steps`; `timestep_scaling`;
/// `clip_sample` with `clip_sample_range`; `rescale_betas_zero_snr`. `set_alpha_to_one` has no effect
/// (every timestep of the schedule is ≥ 0, so diffusers never reads `final_alpha_cumprod`). Not
/// supported: `thresholding` (dynamic thresholding).
public struct LCMScheduler: Scheduler {
    public static let diffusersClassName = "LCMScheduler"

    public let config: SchedulerConfig
    public let noiseSchedule: NoiseSchedule
    public private(set) var timesteps: [Double] = []
    public var initNoiseSigma: Float { 1 }
    public var usesRandomness: Bool { true }
    /// `_step_index`: set by the first `step` (from the begin index or the timestep), then + 1 per step.
    public private(set) var stepIndex: Int?
    /// `_begin_index`: set by `setBeginIndex` (image-to-image).
    public private(set) var beginIndex: Int?
    /// `num_inference_steps` of the last `setTimesteps`: the step with index `numInferenceSteps − 1`
    /// draws no noise.
    private var numInferenceSteps = 0

    /// The data standard deviation σ_data of the boundary conditions (diffusers' `self.sigma_data`).
    static let sigmaData: Float = 0.5

    public init(config: SchedulerConfig) throws {
        guard AlphaPrediction.predictionTypes.contains(config.predictionType) else {
            throw Self.unsupported("prediction_type", config.predictionType, supported: AlphaPrediction.predictionTypes)
        }
        if config.thresholding { throw Self.unsupported("thresholding", true, supported: ["false"]) }
        // diffusers checks this in set_timesteps (and divides by it); refused here, before any step count.
        guard config.originalInferenceSteps >= 1, config.originalInferenceSteps <= config.numTrainTimesteps else {
            throw Self.unsupported("original_inference_steps", config.originalInferenceSteps,
                                   supported: ["1…num_train_timesteps (\(config.numTrainTimesteps))"])
        }
        guard config.timestepScaling.isFinite else {
            throw Self.unsupported("timestep_scaling", config.timestepScaling, supported: ["a finite number"])
        }
        self.config = config
        noiseSchedule = try NoiseSchedule(config: config, scheduler: Self.diffusersClassName)
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try setTimesteps(steps, originalInferenceSteps: nil, strength: 1)
    }

    /// `set_timesteps(steps, original_inference_steps=…, strength=…)`. `originalInferenceSteps` (nil: the
    /// config's) replaces the distillation schedule's length; `strength` < 1 keeps its first
    /// ⌊N·strength⌋ timesteps (what diffusers' LCM img2img pipeline passes; `StableDiffusionImg2ImgPipeline`
    /// passes none and uses `img2imgTimesteps` instead). Throws `invalidStepCount` for steps outside
    /// 1…`num_train_timesteps` and `tooManySteps` for more steps than the schedule has timesteps.
    public mutating func setTimesteps(_ steps: Int, originalInferenceSteps: Int?, strength: Double) throws {
        let original = originalInferenceSteps ?? config.originalInferenceSteps
        guard original >= 1, original <= config.numTrainTimesteps else {
            throw Self.unsupported("original_inference_steps", original,
                                   supported: ["1…num_train_timesteps (\(config.numTrainTimesteps))"])
        }
        guard strength >= 0, strength <= 1 else {
            throw Self.unsupported("strength", strength, supported: ["0…1"])
        }
        try Self.validateStepCount(steps, config)
        let k = config.numTrainTimesteps / original
        let originCount = Int(Double(original) * strength)
        // diffusers raises for skipping_step = len // steps < 1, then for steps > original_inference_steps.
        guard originCount / steps >= 1, steps <= original else {
            throw SchedulerError.tooManySteps(scheduler: Self.diffusersClassName, steps: steps,
                                              originalSteps: original, strength: strength)
        }
        // lcm_origin_timesteps = [1 … ⌊N·strength⌋] · k − 1, reversed, then the linspace-picked indices.
        let origin = (1...originCount).reversed().map { $0 * k - 1 }
        // np.floor(np.linspace(0, len, steps, endpoint=False)): i · (len / steps), rounded down
        let spacing = Double(originCount) / Double(steps)
        timesteps = (0..<steps).map { Double(origin[Int((Double($0) * spacing).rounded(.down))]) }
        numInferenceSteps = steps
        stepIndex = nil
        beginIndex = nil
    }

    public mutating func setBeginIndex(_ index: Int) { beginIndex = index }

    public func scaleModelInput(_ sample: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor { sample }

    /// `get_scalings_for_boundary_condition_discrete(t)`: with s = t · `timestep_scaling` (float32, as
    /// torch computes on the int64 timestep tensor), `c_skip = σ_data² / (s² + σ_data²)` and
    /// `c_out = s / √(s² + σ_data²)`.
    public func boundaryScalings(timestep: Double) -> (cSkip: Float, cOut: Float) {
        let s = Float(timestep) * Float(config.timestepScaling)
        let d = s * s + Self.sigmaData * Self.sigmaData
        return (Self.sigmaData * Self.sigmaData / d, s / d.squareRoot())
    }

    public mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                               random: inout R, on backend: any Backend) throws -> Tensor {
        try requireTimesteps()
        let (m, x) = try operands(modelOutput, sample, backend)
        let i = try index(for: timestep)
        guard timestep >= 0, Int(timestep) < noiseSchedule.alphasCumprod.count else {
            throw SchedulerError.unknownTimestep(scheduler: Self.diffusersClassName, timestep: timestep)
        }
        // 1–2. the next timestep (the current one after the last), ᾱ_t and ᾱ_prev
        let prevT = i + 1 < timesteps.count ? timesteps[i + 1] : timestep
        let ac = noiseSchedule.alphasCumprod
        let alphaProdT = ac[Int(timestep)], alphaProdTPrev = ac[Int(prevT)]
        // 3–6. boundary scalings, x₀, the denoised estimate c_out·x₀ + c_skip·x
        let (cSkip, cOut) = boundaryScalings(timestep: timestep)
        let predOriginal = AlphaPrediction.clipped(AlphaPrediction.originalSample(
            m, x, alphaProdT: alphaProdT, predictionType: config.predictionType, backend), config, backend)
        let denoised = backend.linearCombination([(cOut, predOriginal), (cSkip, x)])
        stepIndex = i + 1
        // 7. fresh noise on every step but the last of the schedule
        guard i != numInferenceSteps - 1 else { return denoised }
        let z = noise(sample.shape, &random, backend)
        let sqrtAlphaPrev = alphaProdTPrev.squareRoot(), sqrtBetaPrev = (1 - alphaProdTPrev).squareRoot()
        return backend.linearCombination([(sqrtAlphaPrev, denoised), (sqrtBetaPrev, z)])
    }

    /// `_init_step_index`: the current step index once stepping has begun, else the begin index, else the
    /// timestep's index (`index_for_timestep`).
    func index(for timestep: Double) throws -> Int {
        if let stepIndex { return stepIndex }
        if let beginIndex { return beginIndex }
        guard let found = SigmaSchedule.index(of: timestep, in: timesteps) else {
            throw SchedulerError.unknownTimestep(scheduler: Self.diffusersClassName, timestep: timestep)
        }
        return found
    }

    public func addNoise(to original: Tensor, noise: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor {
        try AlphaNoise.addNoise(original, noise, alphaCumprod: noiseSchedule.alphasCumprod[Int(timestep)],
                                scheduler: Self.diffusersClassName, backend)
    }
}

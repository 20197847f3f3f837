import DiffuseCore

/// Pseudo numerical methods for diffusion models: the SD 1.x default scheduler.
///
/// Matches `diffusers/schedulers/scheduling_pndm.py` (`PNDMScheduler`, diffusers 0.42):
/// `set_timesteps`, `step_prk`, `step_plms`, `_get_prev_sample`, `add_noise`.
/// * `skip_prk_steps = true` (every SD checkpoint's setting): PLMS only. The second timestep is
///   repeated (the first PLMS step is a two-evaluation warm-up), so `timesteps` has `steps + 1` entries.
/// * `skip_prk_steps = false` (the class default): 12 Runge–Kutta evaluations over the first 3
///   intervals, then PLMS; `timesteps` has `steps + 10` entries (diffusers' `prk_timesteps` followed by
///   `plms_timesteps`).
///
/// Supported: `beta_schedule` linear / scaled_linear / squaredcos_cap_v2 or `trained_betas`;
/// `prediction_type` epsilon / v_prediction (diffusers' PNDM has no `sample`); `timestep_spacing`
/// leading / trailing / linspace; `steps_offset`; `set_alpha_to_one`; `skip_prk_steps` true / false.
/// `rescale_betas_zero_snr` is ignored, as diffusers' `PNDMScheduler.from_config` ignores it (PNDM
/// has no such argument).
public struct PNDMScheduler: Scheduler {
    public static let diffusersClassName = "PNDMScheduler"

    public let config: SchedulerConfig
    public let noiseSchedule: NoiseSchedule
    public private(set) var timesteps: [Double] = []
    public var initNoiseSigma: Float { 1 }

    let finalAlphaCumprod: Float
    private var numInferenceSteps = 0
    // PRK / PLMS state (`ets`, `counter`, `cur_sample`, `cur_model_output`, `prk_timesteps`).
    private var ets: [Tensor] = []
    private var counter = 0
    private var curSample: Tensor?
    private var curModelOutput: Tensor?
    private var prkTimesteps: [Int] = []

    public init(config: SchedulerConfig) throws {
        guard ["epsilon", "v_prediction"].contains(config.predictionType) else {
            throw Self.unsupported("prediction_type", config.predictionType, supported: ["epsilon", "v_prediction"])
        }
        self.config = config
        noiseSchedule = try NoiseSchedule(config: config, scheduler: Self.diffusersClassName, honoursZeroSNR: false)
        finalAlphaCumprod = config.setAlphaToOne ? 1 : noiseSchedule.alphasCumprod[0]
        // Validate the spacing now rather than at setTimesteps.
        _ = try Self.baseTimesteps(config: config, steps: 1)
    }

    /// `_timesteps` (ascending) for the three spacings.
    static func baseTimesteps(config: SchedulerConfig, steps n: Int) throws -> [Int] {
        let t = config.numTrainTimesteps
        switch config.timestepSpacing {
        case "linspace":
            return NumpyMath.linspace(0, Double(t - 1), n).map { Int(NumpyMath.round($0)) }
        case "leading":
            return (0..<n).map { $0 * (t / n) + config.stepsOffset }
        case "trailing":
            return NumpyMath.arange(Double(t), 0, -Double(t) / Double(n)).reversed().map { Int(NumpyMath.round($0)) - 1 }
        default:
            throw unsupported("timestep_spacing", config.timestepSpacing, supported: ["linspace", "leading", "trailing"])
        }
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.validateStepCount(steps, config)
        let config = config
        // Every timestep indexes alphas_cumprod: the base schedule (descending) must stay in range; PRK's
        // half-step offsets are range-checked with it (PLMS and PRK repeat timesteps on purpose).
        try TimestepCheck.require(Self.diffusersClassName, steps: steps, numTrainTimesteps: config.numTrainTimesteps) {
            let base = try Self.baseTimesteps(config: config, steps: $0).reversed().map(Double.init)
            let prk = try Self.schedule(config, steps: $0).prk
            return base.first.map { [max($0, Double(prk.max() ?? 0))] + base.dropFirst() } ?? base
        }
        numInferenceSteps = steps
        (prkTimesteps, timesteps) = try Self.schedule(config, steps: steps)
        ets = []
        counter = 0
        curSample = nil
        curModelOutput = nil
    }

    /// `set_timesteps`' PRK timesteps (empty with `skip_prk_steps`) and the full schedule (PRK then PLMS).
    static func schedule(_ config: SchedulerConfig, steps: Int) throws -> (prk: [Int], timesteps: [Double]) {
        let base = try baseTimesteps(config: config, steps: steps)
        if config.skipPrkSteps {
            // plms_timesteps = concat(_timesteps[:-1], _timesteps[-2:-1], _timesteps[-1:])[::-1]
            var plms = Array(base.dropLast())
            if base.count >= 2 { plms.append(base[base.count - 2]) }
            if let last = base.last { plms.append(last) }
            return ([], plms.reversed().map(Double.init))
        }
        // prk = _timesteps[-4:].repeat(2) + tile([0, T // n // 2], 4); prk = prk[:-1].repeat(2)[1:-1][::-1]
        let half = config.numTrainTimesteps / steps / 2
        let tail = base.suffix(pndmOrder)
        let withHalves = tail.flatMap { [$0, $0] }.enumerated().map { $1 + ($0 % 2 == 0 ? 0 : half) }
        let doubled = withHalves.dropLast().flatMap { [$0, $0] }
        let prk = Array(doubled.dropFirst().dropLast().reversed())
        let plms = base.dropLast(3).reversed()
        return (prk, (prk + plms).map(Double.init))
    }

    public func scaleModelInput(_ sample: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor { sample }

    public mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                               random: inout R, on backend: any Backend) throws -> Tensor {
        try requireTimesteps()
        if counter < prkTimesteps.count {
            return try stepPRK(modelOutput: modelOutput, timestep: timestep, sample: sample, backend)
        }
        var (output, x) = try operands(modelOutput, sample, backend)
        let ratio = config.numTrainTimesteps / numInferenceSteps
        var t = Int(timestep)
        var prevT = t - ratio
        if counter != 1 {
            ets = Array(ets.suffix(3))
            ets.append(output)
        } else {
            prevT = t
            t += ratio
        }
        if ets.count == 1 && counter == 0 {
            curSample = x
        } else if ets.count == 1 && counter == 1 {
            let e1 = ets[0]
            output = backend.divide(backend.add(output, e1), by: 2)
            x = curSample ?? x
            curSample = nil
        } else if ets.count == 2 {
            let e1 = ets[1], e2 = ets[0]
            output = backend.divide(backend.linearCombination([(3, e1), (-1, e2)]), by: 2)
        } else if ets.count == 3 {
            let e1 = ets[2], e2 = ets[1], e3 = ets[0]
            output = backend.divide(backend.linearCombination([(23, e1), (-16, e2), (5, e3)]), by: 12)
        } else {
            let e1 = ets[3], e2 = ets[2], e3 = ets[1], e4 = ets[0]
            let c = Float(1.0 / 24.0)
            output = backend.scale(backend.linearCombination([(55, e1), (-59, e2), (37, e3), (-9, e4)]), by: c)
        }
        let prev = previousSample(x, t, prevT, output, backend)
        counter += 1
        return prev
    }

    static let pndmOrder = 4

    /// `step_prk`: one of the four Runge–Kutta evaluations of an interval.
    mutating func stepPRK(modelOutput: Tensor, timestep: Double, sample: Tensor, _ backend: any Backend) throws -> Tensor {
        var (output, x) = try operands(modelOutput, sample, backend)
        let diffToPrev = counter % 2 == 1 ? 0 : config.numTrainTimesteps / numInferenceSteps / 2
        let prevT = Int(timestep) - diffToPrev
        let t = prkTimesteps[counter / 4 * 4]
        let sixth = Float(1.0 / 6.0), third = Float(1.0 / 3.0)
        func accumulate(_ c: Float) {
            curModelOutput = curModelOutput.map { backend.linearCombination([(1, $0), (c, output)]) } ?? backend.scale(output, by: c)
        }
        switch counter % 4 {
        case 0:
            accumulate(sixth)
            ets.append(output)
            curSample = x
        case 1, 2:
            accumulate(third)
        default:
            output = curModelOutput.map { backend.linearCombination([(1, $0), (sixth, output)]) } ?? backend.scale(output, by: sixth)
            curModelOutput = nil
        }
        x = curSample ?? x
        let prev = previousSample(x, t, prevT, output, backend)
        counter += 1
        return prev
    }

    /// `_get_prev_sample` (formula (9) of the PNDM paper), float32 in diffusers' order.
    func previousSample(_ sample: Tensor, _ t: Int, _ prevT: Int, _ modelOutput: Tensor, _ backend: any Backend) -> Tensor {
        let ac = noiseSchedule.alphasCumprod
        let alphaProdT = ac[t]
        let alphaProdTPrev = prevT >= 0 ? ac[prevT] : finalAlphaCumprod
        let betaProdT = 1 - alphaProdT
        let betaProdTPrev = 1 - alphaProdTPrev
        var output = modelOutput
        if config.predictionType == "v_prediction" {
            let a = alphaProdT.squareRoot(), b = betaProdT.squareRoot()
            output = backend.linearCombination([(a, modelOutput), (b, sample)])
        }
        let sampleCoeff = (alphaProdTPrev / alphaProdT).squareRoot()
        let denominator = alphaProdT * betaProdTPrev.squareRoot()
            + (alphaProdT * betaProdT * alphaProdTPrev).squareRoot()
        let difference = alphaProdTPrev - alphaProdT
        // sampleCoeff·x − (difference·output)/denominator
        let correction = backend.divide(backend.scale(output, by: difference), by: denominator)
        return backend.linearCombination([(sampleCoeff, sample), (-1, correction)])
    }

    public func addNoise(to original: Tensor, noise: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor {
        try AlphaNoise.addNoise(original, noise, alphaCumprod: noiseSchedule.alphasCumprod[Int(timestep)],
                                scheduler: Self.diffusersClassName, backend)
    }
}

/// `add_noise` of the alpha-based schedulers: `√ᾱ_t · x + √(1 − ᾱ_t) · ε` (float32).
enum AlphaNoise {
    static func addNoise(_ original: Tensor, _ noise: Tensor, alphaCumprod: Float, scheduler: String,
                         _ backend: any Backend) throws -> Tensor {
        guard original.count == noise.count else {
            throw SchedulerError.shapeMismatch(scheduler: scheduler, expected: original.shape, actual: noise.shape)
        }
        let x = backend.cast(original, to: .f32), e = backend.cast(noise, to: .f32).reshaped(original.shape)
        let a = alphaCumprod.squareRoot(), b = (1 - alphaCumprod).squareRoot()
        return backend.linearCombination([(a, x), (b, e)])
    }
}

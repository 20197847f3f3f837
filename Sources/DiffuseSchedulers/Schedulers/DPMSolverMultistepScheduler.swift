import DiffuseCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// DPM-Solver / DPM-Solver++ multistep (Lu et al. 2022): "DPM++ 2M" (and "DPM++ 2M Karras" with
/// `use_karras_sigmas`, "DPM++ 2M SDE" with `algorithm_type` sde-dpmsolver++).
///
/// Matches `diffusers/schedulers/scheduling_dpmsolver_multistep.py` (`DPMSolverMultistepScheduler`,
/// diffusers 0.42): `set_timesteps`, `convert_model_output`, `dpm_solver_first_order_update`,
/// `multistep_dpm_solver_second_order_update`, `step` (with `lower_order_final`, `euler_at_final`),
/// `add_noise`.
///
/// Supported: `algorithm_type` dpmsolver++ / dpmsolver / sde-dpmsolver++ / sde-dpmsolver (the SDE
/// variants draw `randn(sample.shape)` from the random source at every step, as diffusers draws from
/// its generator); `solver_order` 1 or 2; `solver_type`
/// midpoint / heun; `prediction_type` epsilon / v_prediction / sample; `beta_schedule` linear /
/// scaled_linear / squaredcos_cap_v2 or `trained_betas`; `timestep_spacing` linspace / leading /
/// trailing; `steps_offset`; `use_karras_sigmas` (with `sigma_min` / `sigma_max`); `final_sigmas_type`
/// zero / sigma_min; `lambda_min_clipped`; `rescale_betas_zero_snr`. Not supported: `solver_order` 3,
/// `thresholding`, `variance_type` learned / learned_range, `use_lu_lambdas`, exponential / beta / flow
/// sigmas.
public struct DPMSolverMultistepScheduler: Scheduler {
    public static let diffusersClassName = "DPMSolverMultistepScheduler"

    public let config: SchedulerConfig
    public let noiseSchedule: NoiseSchedule
    public private(set) var timesteps: [Double] = []
    public private(set) var sigmas: [Float]?
    public var initNoiseSigma: Float { 1 }
    public private(set) var stepIndex: Int?
    public private(set) var beginIndex: Int?
    public var usesRandomness: Bool { isSDE }

    static let algorithms = ["dpmsolver++", "dpmsolver", "sde-dpmsolver++", "sde-dpmsolver"]
    /// Data prediction (x₀): dpmsolver++ and sde-dpmsolver++; noise prediction (ε) otherwise.
    var predictsData: Bool { config.algorithmType.hasSuffix("++") }
    var isSDE: Bool { config.algorithmType.hasPrefix("sde-") }

    /// The last `solver_order` converted model outputs (x₀ predictions for dpmsolver++), oldest first.
    private var modelOutputs: [Tensor] = []
    private var lowerOrderNums = 0

    public init(config original: SchedulerConfig) throws {
        // diffusers' `__init__` maps DEIS / UniPC settings onto DPM-Solver++ (for `from_config` of
        // those schedulers' configs): algorithm_type deis → dpmsolver++, solver_type logrho/bh1/bh2 → midpoint.
        var config = original
        if config.algorithmType == "deis" { config.algorithmType = "dpmsolver++" }
        if ["logrho", "bh1", "bh2"].contains(config.solverType) { config.solverType = "midpoint" }
        guard Self.algorithms.contains(config.algorithmType) else {
            throw Self.unsupported("algorithm_type", config.algorithmType, supported: Self.algorithms)
        }
        guard [1, 2].contains(config.solverOrder) else {
            throw Self.unsupported("solver_order", config.solverOrder, supported: ["1", "2"])
        }
        guard ["midpoint", "heun"].contains(config.solverType) else {
            throw Self.unsupported("solver_type", config.solverType, supported: ["midpoint", "heun"])
        }
        guard ["epsilon", "v_prediction", "sample"].contains(config.predictionType) else {
            throw Self.unsupported("prediction_type", config.predictionType, supported: ["epsilon", "v_prediction", "sample"])
        }
        if config.thresholding { throw Self.unsupported("thresholding", true, supported: ["false"]) }
        if let v = config.varianceType { throw Self.unsupported("variance_type", v, supported: ["null"]) }
        if config.useLuLambdas { throw Self.unsupported("use_lu_lambdas", true, supported: ["false"]) }
        if config.useExponentialSigmas { throw Self.unsupported("use_exponential_sigmas", true, supported: ["false"]) }
        if config.useBetaSigmas { throw Self.unsupported("use_beta_sigmas", true, supported: ["false"]) }
        if config.useFlowSigmas { throw Self.unsupported("use_flow_sigmas", true, supported: ["false"]) }
        guard ["zero", "sigma_min"].contains(config.finalSigmasType) else {
            throw Self.unsupported("final_sigmas_type", config.finalSigmasType, supported: ["zero", "sigma_min"])
        }
        if !config.algorithmType.hasSuffix("++") && config.finalSigmasType == "zero" {
            // diffusers raises the same: zero final sigma needs the data-prediction (++) form.
            throw Self.unsupported("final_sigmas_type", "zero (with algorithm_type \(config.algorithmType))",
                                   supported: ["sigma_min"])
        }
        guard ["linspace", "leading", "trailing"].contains(config.timestepSpacing) else {
            throw Self.unsupported("timestep_spacing", config.timestepSpacing, supported: ["linspace", "leading", "trailing"])
        }
        self.config = config
        noiseSchedule = try NoiseSchedule(config: config, scheduler: Self.diffusersClassName, clampsTerminalAlpha: true)
    }

    public mutating func setTimesteps(_ steps: Int) throws {
        try Self.validateStepCount(steps, config)
        let config = config, t = config.numTrainTimesteps
        // clipped_idx = searchsorted(flip(lambda_t), lambda_min_clipped)
        let lambdas = noiseSchedule.alphasCumprod.map { a -> Float in
            logf(a.squareRoot()) - logf((1 - a).squareRoot())
        }
        let clippedIndex = lambdas.reversed().filter { Double($0) < config.lambdaMinClipped }.count
        let lastTimestep = t - clippedIndex
        try TimestepCheck.require(Self.diffusersClassName, steps: steps, numTrainTimesteps: t) {
            Self.inferenceTimesteps(config, steps: $0, lastTimestep: lastTimestep)
        }
        var ts = Self.inferenceTimesteps(config, steps: steps, lastTimestep: lastTimestep)
        let train = noiseSchedule.trainSigmas
        var sigmaValues: [Double]
        if config.useKarrasSigmas {
            let logSigmas = train.map { logf($0) }
            sigmaValues = SigmaSchedule.karras(sigmaMin: config.sigmaMin ?? Double(train.first!),
                                               sigmaMax: config.sigmaMax ?? Double(train.last!), steps: steps)
            ts = sigmaValues.map { SigmaSchedule.sigmaToT($0, logSigmas: logSigmas) }
            if config.betaSchedule != "squaredcos_cap_v2" { ts = ts.map(NumpyMath.round) }
        } else {
            sigmaValues = ts.map { NumpyMath.interp($0, train) }
        }
        let last: Float
        if config.finalSigmasType == "sigma_min" {
            let a0 = noiseSchedule.alphasCumprod[0]
            last = ((1 - a0) / a0).squareRoot()
        } else {
            last = 0
        }
        sigmas = sigmaValues.map { Float($0) } + [last]
        timesteps = ts.map { $0.rounded(.towardZero) } // astype(int64)
        modelOutputs = []
        lowerOrderNums = 0
        stepIndex = nil
        beginIndex = nil
    }

    /// `set_timesteps`' schedule for `timestep_spacing` (descending, before Karras sigmas replace it), up to
    /// `lastTimestep` (`num_train_timesteps` less the steps `lambda_min_clipped` cuts).
    static func inferenceTimesteps(_ config: SchedulerConfig, steps: Int, lastTimestep: Int) -> [Double] {
        switch config.timestepSpacing {
        case "linspace":
            return Array(NumpyMath.linspace(0, Double(lastTimestep - 1), steps + 1).map(NumpyMath.round).reversed().dropLast())
        case "leading":
            let ratio = lastTimestep / (steps + 1)
            return (1...steps).reversed().map { Double($0 * ratio + config.stepsOffset) }
        default: // trailing
            let t = config.numTrainTimesteps
            return NumpyMath.arange(Double(lastTimestep), 0, -Double(t) / Double(steps)).map { NumpyMath.round($0) - 1 }
        }
    }

    public mutating func setBeginIndex(_ index: Int) { beginIndex = index }

    public func scaleModelInput(_ sample: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor { sample }

    /// `_sigma_to_alpha_sigma_t`: α_t = 1/√(σ² + 1), σ_t = σ·α_t (float32).
    static func alphaSigma(_ sigma: Float) -> (alpha: Float, sigma: Float) {
        let alpha = 1 / (sigma * sigma + 1).squareRoot()
        return (alpha, sigma * alpha)
    }

    static func lambda(_ alphaSigma: (alpha: Float, sigma: Float)) -> Float {
        logf(alphaSigma.alpha) - logf(alphaSigma.sigma)
    }

    /// DPM's `index_for_timestep`: first match (second if several); the last index if absent.
    func index(for timestep: Double) throws -> Int {
        try requireTimesteps()
        if let stepIndex { return stepIndex }
        if let beginIndex { return beginIndex }
        return SigmaSchedule.index(of: timestep, in: timesteps) ?? timesteps.count - 1
    }

    /// `convert_model_output`: x₀ (dpmsolver++, sde-dpmsolver++) or ε (dpmsolver, sde-dpmsolver).
    func convert(_ m: Tensor, _ x: Tensor, index i: Int, _ backend: any Backend) -> Tensor {
        let (alphaT, sigmaT) = Self.alphaSigma(sigmas![i])
        if predictsData {
            switch config.predictionType {
            case "epsilon": return backend.divide(backend.linearCombination([(1, x), (-sigmaT, m)]), by: alphaT)
            case "sample": return m
            default: return backend.linearCombination([(alphaT, x), (-sigmaT, m)])
            }
        }
        switch config.predictionType {
        case "epsilon": return m
        case "sample": return backend.divide(backend.linearCombination([(1, x), (-alphaT, m)]), by: sigmaT)
        default: return backend.linearCombination([(alphaT, m), (sigmaT, x)])
        }
    }

    public mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                               random: inout R, on backend: any Backend) throws -> Tensor {
        let i = try index(for: timestep)
        let (m, x) = try operands(modelOutput, sample, backend)
        let count = timesteps.count
        let lowerOrderFinal = i == count - 1
            && (config.eulerAtFinal || (config.lowerOrderFinal && count < 15) || config.finalSigmasType == "zero")
        let converted = convert(m, x, index: i, backend)
        modelOutputs.append(converted)
        if modelOutputs.count > config.solverOrder { modelOutputs.removeFirst() }

        let z = isSDE ? noise(sample.shape, &random, backend) : nil
        let prev: Tensor
        if config.solverOrder == 1 || lowerOrderNums < 1 || lowerOrderFinal {
            prev = firstOrderUpdate(converted, x, noise: z, index: i, backend)
        } else {
            prev = secondOrderUpdate(x, noise: z, index: i, backend)
        }
        if lowerOrderNums < config.solverOrder { lowerOrderNums += 1 }
        stepIndex = i + 1
        return prev
    }

    /// `dpm_solver_first_order_update` (DDIM-like step from σ_s = σ_i to σ_t = σ_{i+1}).
    func firstOrderUpdate(_ m: Tensor, _ x: Tensor, noise: Tensor?, index i: Int, _ backend: any Backend) -> Tensor {
        let (alphaT, sigmaT) = Self.alphaSigma(sigmas![i + 1])
        let (alphaS, sigmaS) = Self.alphaSigma(sigmas![i])
        let h = Self.lambda((alphaT, sigmaT)) - Self.lambda((alphaS, sigmaS))
        switch config.algorithmType {
        case "dpmsolver++":
            let a = sigmaT / sigmaS, b = alphaT * (expf(-h) - 1)
            return backend.linearCombination([(a, x), (-b, m)])
        case "dpmsolver":
            let a = alphaT / alphaS, b = sigmaT * (expf(h) - 1)
            return backend.linearCombination([(a, x), (-b, m)])
        case "sde-dpmsolver++":
            let z = noise!
            let a = sigmaT / sigmaS * expf(-h), b = alphaT * (1 - expf(-2 * h))
            let c = sigmaT * (1 - expf(-2 * h)).squareRoot()
            return backend.linearCombination([(a, x), (b, m), (c, z)])
        default: // sde-dpmsolver
            let z = noise!
            let a = alphaT / alphaS, b = 2 * (sigmaT * (expf(h) - 1))
            let c = sigmaT * (expf(2 * h) - 1).squareRoot()
            return backend.linearCombination([(a, x), (-b, m), (c, z)])
        }
    }

    /// `multistep_dpm_solver_second_order_update` with the last two converted outputs:
    /// `x_t = a·x + s_b·b·D0 + s_c·c·D1 (+ d·z)` with diffusers' coefficients and signs.
    func secondOrderUpdate(_ x: Tensor, noise: Tensor?, index i: Int, _ backend: any Backend) -> Tensor {
        let (alphaT, sigmaT) = Self.alphaSigma(sigmas![i + 1])
        let (alphaS0, sigmaS0) = Self.alphaSigma(sigmas![i])
        let (alphaS1, sigmaS1) = Self.alphaSigma(sigmas![i - 1])
        let lambdaT = Self.lambda((alphaT, sigmaT))
        let lambdaS0 = Self.lambda((alphaS0, sigmaS0)), lambdaS1 = Self.lambda((alphaS1, sigmaS1))
        let m0 = modelOutputs[modelOutputs.count - 1], m1 = modelOutputs[modelOutputs.count - 2]
        let h = lambdaT - lambdaS0, h0 = lambdaS0 - lambdaS1
        let r0 = h0 / h
        let d1Coeff = 1 / r0
        let midpoint = config.solverType == "midpoint"
        let a: Float, b: Float, c: Float
        var d: Float = 0
        var plusB = false, plusC = false
        switch config.algorithmType {
        case "dpmsolver++":
            a = sigmaT / sigmaS0
            b = alphaT * (expf(-h) - 1)
            if midpoint { c = 0.5 * (alphaT * (expf(-h) - 1)) } else { c = alphaT * ((expf(-h) - 1) / h + 1); plusC = true }
        case "dpmsolver":
            a = alphaT / alphaS0
            b = sigmaT * (expf(h) - 1)
            c = midpoint ? 0.5 * (sigmaT * (expf(h) - 1)) : sigmaT * ((expf(h) - 1) / h - 1)
        case "sde-dpmsolver++":
            a = sigmaT / sigmaS0 * expf(-h)
            b = alphaT * (1 - expf(-2 * h)); plusB = true
            c = midpoint ? 0.5 * (alphaT * (1 - expf(-2 * h))) : alphaT * ((1 - expf(-2 * h)) / (-2 * h) + 1)
            plusC = true
            d = sigmaT * (1 - expf(-2 * h)).squareRoot()
        default: // sde-dpmsolver
            a = alphaT / alphaS0
            b = 2 * (sigmaT * (expf(h) - 1))
            c = midpoint ? sigmaT * (expf(h) - 1) : 2 * (sigmaT * ((expf(h) - 1) / h - 1))
            d = sigmaT * (expf(2 * h) - 1).squareRoot()
        }
        // a·x ± b·D0 ± c·D1 (+ d·z), D1 = d1Coeff · (m0 − m1), summed left to right as diffusers does.
        let d1 = backend.scale(backend.sub(m0, m1), by: d1Coeff)
        var terms: [(Float, Tensor)] = [(a, x), (plusB ? b : -b, m0), (plusC ? c : -c, d1)]
        if let noise { terms.append((d, noise)) }
        return backend.linearCombination(terms)
    }

    /// `add_noise`: `α_t · x + σ_t · ε` with σ of `timestep`'s index.
    public func addNoise(to original: Tensor, noise: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor {
        let (e, x) = try operands(noise, original, backend)
        try requireTimesteps()
        // diffusers: lookup without a begin index; else the current step index, else the begin index.
        let i = beginIndex == nil
            ? SigmaSchedule.index(of: timestep, in: timesteps) ?? timesteps.count - 1
            : stepIndex ?? beginIndex!
        let (alphaT, sigmaT) = Self.alphaSigma(sigmas![i])
        return backend.linearCombination([(alphaT, x), (sigmaT, e)])
    }
}

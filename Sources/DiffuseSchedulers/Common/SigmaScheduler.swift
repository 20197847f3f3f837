import DiffuseCore

/// What the k-diffusion-style schedulers (Euler, Euler a, LMS) share: a float32 σ per timestep, inputs
/// scaled by `1/√(σ² + 1)`, the initial noise σ_max, and `add_noise` as `x + σ·ε`.
protocol SigmaScheduler: Scheduler {
    var sigmas: [Float]? { get }
    /// `_step_index`: set by the first `step` (or `scaleModelInput`) from the timestep.
    var stepIndex: Int? { get }
    /// `_begin_index`: set by `setBeginIndex` (image-to-image).
    var beginIndex: Int? { get }
}

extension SigmaScheduler {
    /// `init_noise_sigma`: σ_max for `linspace` / `trailing`, `√(σ_max² + 1)` for `leading`.
    public var initNoiseSigma: Float {
        let maxSigma = sigmas?.max() ?? 1
        if ["linspace", "trailing"].contains(config.timestepSpacing) { return maxSigma }
        return (maxSigma * maxSigma + 1).squareRoot()
    }

    /// The step index for `timestep`: the current one once stepping has begun, else looked up.
    func index(for timestep: Double) throws -> Int {
        try requireTimesteps()
        if let stepIndex { return stepIndex }
        if let beginIndex { return beginIndex }
        guard let i = SigmaSchedule.index(of: timestep, in: timesteps) else {
            throw SchedulerError.unknownTimestep(scheduler: Self.diffusersClassName, timestep: timestep)
        }
        return i
    }

    /// `scale_model_input`: `sample / (σ² + 1) ** 0.5`.
    public func scaleModelInput(_ sample: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor {
        let sigma = sigmas![try index(for: timestep)]
        let scale = (sigma * sigma + 1).squareRoot()
        return backend.divide(backend.cast(sample, to: .f32), by: scale)
    }

    /// `add_noise`: `original + noise · σ(timestep)`. The σ index is, as in diffusers: the timestep's
    /// index without a begin index; else the current step index, else the begin index.
    public func addNoise(to original: Tensor, noise: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor {
        let (e, x) = try operands(noise, original, backend)
        try requireTimesteps()
        let i: Int
        if let beginIndex {
            i = stepIndex ?? beginIndex
        } else {
            guard let found = SigmaSchedule.index(of: timestep, in: timesteps) else {
                throw SchedulerError.unknownTimestep(scheduler: Self.diffusersClassName, timestep: timestep)
            }
            i = found
        }
        let sigma = sigmas![i]
        return backend.linearCombination([(1, x), (sigma, e)])            // x + ε·σ
    }

    /// x₀ predicted from `modelOutput` at σ (Euler / LMS `pred_original_sample`), float32 in diffusers' order.
    func predictOriginal(_ m: Tensor, _ x: Tensor, sigma: Float, _ backend: any Backend) -> Tensor {
        switch config.predictionType {
        case "epsilon":
            return backend.linearCombination([(1, x), (-sigma, m)])                  // x − σ·m
        case "v_prediction":
            let c = -sigma / (sigma * sigma + 1).squareRoot()
            let d = sigma * sigma + 1
            return backend.linearCombination([(c, m), (1, backend.divide(x, by: d))]) // m·c + x/d
        default: // sample
            return m
        }
    }

    /// The Euler step shared by Euler and Euler ancestral: derivative = (x − x₀)/σ, then x + derivative·dt
    /// (+ noise·σ_up).
    func eulerStep(_ x: Tensor, predOriginal: Tensor, sigma: Float, dt: Float, noise: (Tensor, Float)?,
                   _ backend: any Backend) -> Tensor {
        let derivative = backend.divide(backend.sub(x, predOriginal), by: sigma)
        var terms: [(Float, Tensor)] = [(1, x), (dt, derivative)]
        if let (z, sigmaUp) = noise { terms.append((sigmaUp, z)) }
        return backend.linearCombination(terms)
    }

    static func validatePrediction(_ config: SchedulerConfig) throws {
        guard ["epsilon", "v_prediction", "sample"].contains(config.predictionType) else {
            throw unsupported("prediction_type", config.predictionType, supported: ["epsilon", "v_prediction", "sample"])
        }
    }

    /// Training σ's (float32) and the interpolated inference σ's (float64) for `timesteps` (float32 values).
    static func interpolatedSigmas(_ schedule: NoiseSchedule, at timesteps: [Double]) -> [Double] {
        let train = schedule.trainSigmas
        return timesteps.map { NumpyMath.interp($0, train) }
    }
}

import DiffuseCore

/// A diffusion sampler: turns the UNet's output at one timestep into the latents of the next, the way a
/// diffusers scheduler does. Each implementation names the diffusers file it reproduces and states what
/// of its config it supports; everything else is rejected with `SchedulerError.unsupportedConfigValue`.
///
/// The denoising loop, as in diffusers' `StableDiffusionPipeline`:
/// ```swift
/// var scheduler = try EulerDiscreteScheduler(config: config)
/// try scheduler.setTimesteps(25)
/// var random = TorchRandomSource(seed: 0)
/// var latents = backend.upload(scheduler.initialLatents(shape: [1, 4, 64, 64], random: &random))
/// for t in scheduler.timesteps {
///     let input = try scheduler.scaleModelInput(latents, timestep: t, on: backend)
///     let noise = unet(input, t, text)                      // + classifier-free guidance
///     latents = try scheduler.step(modelOutput: noise, timestep: t, sample: latents, random: &random, on: backend)
/// }
/// ```
/// Samples are tensors of any shape (`[batch, 4, h, w]`) on `backend`'s device; the arithmetic runs as
/// backend ops (`Backend.linearCombination`, `divide`, …) in float32 in diffusers' operation order, so
/// trajectories agree with diffusers to float32 rounding. Scalars (σ, ᾱ, coefficients) stay on the host;
/// noise drawn by ancestral / SDE / LCM schedulers is drawn on the host and uploaded.
public protocol Scheduler: Sendable {
    /// The diffusers class reproduced, e.g. `"EulerDiscreteScheduler"`.
    static var diffusersClassName: String { get }

    /// The config the scheduler was built from (`SchedulerConfig.converted(to:)` when switching class).
    var config: SchedulerConfig { get }

    /// diffusers' `order` class attribute: model evaluations per entry of `timesteps` — 1 for every
    /// scheduler here (pipelines use it for warm-up steps: `len(timesteps) − steps · order`).
    var order: Int { get }

    /// The timesteps to run, in order, after `setTimesteps` (empty before). Integers for PNDM / DDIM /
    /// DPM-Solver / LCM; float32 values (possibly fractional) for Euler / Euler a / LMS. PNDM (PLMS)
    /// repeats its second timestep, so it has `steps + 1` entries.
    var timesteps: [Double] { get }

    /// σ for each entry of `timesteps`, plus the final σ (usually 0) — for sigma-based schedulers; nil
    /// for the alpha-based ones (PNDM, DDIM).
    var sigmas: [Float]? { get }

    /// The standard deviation of the initial noise: multiply `randn` latents by it (1 for DDPM-style
    /// schedulers, σ_max (or √(σ_max² + 1) with `leading` spacing) for the sigma-based ones).
    var initNoiseSigma: Float { get }

    /// `alphas_cumprod` of the training schedule.
    var noiseSchedule: NoiseSchedule { get }

    /// `set_timesteps(steps)`: chooses the inference timesteps and resets the multistep state.
    mutating func setTimesteps(_ steps: Int) throws

    /// `scale_model_input(sample, t)`: the UNet input for `sample` at `timestep` (identity for
    /// alpha-based schedulers, `sample / √(σ² + 1)` for sigma-based ones).
    func scaleModelInput(_ sample: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor

    /// `step(model_output, t, sample, generator=…).prev_sample`: the sample at the next timestep.
    /// Schedulers that draw noise (`usesRandomness`) take it from `random`, continuing its stream exactly
    /// as diffusers continues the pipeline's `torch.Generator`; the others leave `random` untouched.
    mutating func step<R: RandomSource>(modelOutput: Tensor, timestep: Double, sample: Tensor,
                                        random: inout R, on backend: any Backend) throws -> Tensor

    /// `add_noise(original, noise, t)` for image-to-image: `original` noised to the level of `timestep`.
    func addNoise(to original: Tensor, noise: Tensor, timestep: Double, on backend: any Backend) throws -> Tensor

    /// Whether `step` draws random numbers (Euler ancestral, DPM-Solver SDE, DDIM with η > 0, LCM).
    var usesRandomness: Bool { get }

    /// `set_begin_index(i)`: the run starts at `timesteps[i]` (image-to-image), so the first `step` /
    /// `addNoise` use index `i` instead of looking the timestep up. A no-op for schedulers that
    /// diffusers gives no `set_begin_index` (PNDM, DDIM).
    mutating func setBeginIndex(_ index: Int)
}

extension Scheduler {
    public var order: Int { 1 }
    public var usesRandomness: Bool { false }
    public var sigmas: [Float]? { nil }
    public mutating func setBeginIndex(_ index: Int) {}

    /// Image-to-image: diffusers' `StableDiffusionImg2ImgPipeline.get_timesteps(steps, strength)` after
    /// `setTimesteps(steps)`. Keeps the last `int(steps · strength)` steps, calls `setBeginIndex`, and
    /// returns the timesteps to run (the first is the one to pass to `addNoise`).
    public mutating func img2imgTimesteps(steps: Int, strength: Double) -> [Double] {
        let initTimestep = min(Int(Double(steps) * strength), steps)
        let start = max(steps - initTimestep, 0) * order
        setBeginIndex(start)
        return Array(timesteps[min(start, timesteps.count)...])
    }

    /// `step` for schedulers that draw no noise. Throws `SchedulerError.randomSourceRequired` for those
    /// that do.
    public mutating func step(modelOutput: Tensor, timestep: Double, sample: Tensor, on backend: any Backend) throws -> Tensor {
        if usesRandomness { throw SchedulerError.randomSourceRequired(scheduler: Self.diffusersClassName) }
        var none = UnusedRandomSource()
        return try step(modelOutput: modelOutput, timestep: timestep, sample: sample, random: &none, on: backend)
    }

    /// The initial latents, in host memory (upload them to the backend): `randn(shape) · initNoiseSigma`,
    /// as diffusers' `prepare_latents`.
    public func initialLatents<R: RandomSource>(shape: [Int], random: inout R) -> Tensor {
        let sigma = initNoiseSigma
        return Tensor(random.normal(count: shape.reduce(1, *)).map { $0 * sigma }, shape: shape)
    }

    /// Throws `timestepsNotSet` when `setTimesteps` has not run.
    func requireTimesteps() throws {
        if timesteps.isEmpty { throw SchedulerError.timestepsNotSet(scheduler: Self.diffusersClassName) }
    }

    /// Checks that `a` and `b` have the same element count; returns both as contiguous f32 tensors of
    /// b's shape (on the backend's device).
    func operands(_ a: Tensor, _ b: Tensor, _ backend: any Backend) throws -> (Tensor, Tensor) {
        guard a.count == b.count else {
            throw SchedulerError.shapeMismatch(scheduler: Self.diffusersClassName, expected: b.shape, actual: a.shape)
        }
        return (backend.cast(a, to: .f32).reshaped(b.shape), backend.cast(b, to: .f32))
    }

    /// Standard-normal noise of `shape`, drawn on the host from `random` (continuing diffusers' generator
    /// stream) and uploaded.
    func noise<R: RandomSource>(_ shape: [Int], _ random: inout R, _ backend: any Backend) -> Tensor {
        backend.upload(Tensor(random.normal(count: shape.reduce(1, *)), shape: shape))
    }

    static func unsupported(_ key: String, _ value: Any, supported: [String]) -> SchedulerError {
        .unsupportedConfigValue(scheduler: diffusersClassName, key: key, value: "\(value)", supported: supported)
    }

    static func validateStepCount(_ steps: Int, _ config: SchedulerConfig) throws {
        guard steps >= 1, steps <= config.numTrainTimesteps else {
            throw SchedulerError.invalidStepCount(
                scheduler: diffusersClassName, steps: steps, numTrainTimesteps: config.numTrainTimesteps)
        }
    }
}

/// Passed by `step(modelOutput:timestep:sample:)` to schedulers that draw nothing; never called.
struct UnusedRandomSource: RandomSource {
    mutating func normal(count: Int) -> [Float] { preconditionFailure("this scheduler draws no noise") }
    mutating func uniform(count: Int) -> [Float] { preconditionFailure("this scheduler draws no noise") }
}

/// Errors of scheduler construction and stepping. Every message names what was wrong.
public enum SchedulerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A config key has a value this scheduler does not implement (yet), e.g. `prediction_type` =
    /// `"flow_prediction"` for DDIM. `supported` lists what is implemented.
    case unsupportedConfigValue(scheduler: String, key: String, value: String, supported: [String])
    /// A config value no real model holds (e.g. `num_train_timesteps` 10⁹, a β outside (0, 1), `trained_betas`
    /// whose length is not `num_train_timesteps`); `expected` says what is valid.
    case invalidConfigValue(scheduler: String, key: String, value: String, expected: String)
    /// `step` / `scaleModelInput` called before `setTimesteps`.
    case timestepsNotSet(scheduler: String)
    /// A step count that is not in 1…`num_train_timesteps`.
    case invalidStepCount(scheduler: String, steps: Int, numTrainTimesteps: Int)
    /// LCM: more inference steps than the distillation schedule they are picked from has
    /// (`⌊original_inference_steps · strength⌋` timesteps).
    case tooManySteps(scheduler: String, steps: Int, originalSteps: Int, strength: Double)
    /// The timesteps for `steps` are not usable (out of the training range, or repeated: `TimestepCheck`);
    /// `largestValidSteps` is the largest step count that works (nil: none, the config is at fault).
    case invalidSchedule(scheduler: String, steps: Int, problem: String, largestValidSteps: Int?)
    /// `timestep` is not one of the scheduler's `timesteps`.
    case unknownTimestep(scheduler: String, timestep: Double)
    /// The scheduler draws noise in `step` (e.g. Euler ancestral) and was called without a `RandomSource`.
    case randomSourceRequired(scheduler: String)
    /// `modelOutput` and `sample` (or `original` and `noise`) differ in element count.
    case shapeMismatch(scheduler: String, expected: [Int], actual: [Int])
    /// No scheduler of this `_class_name` is implemented.
    case unsupportedClass(String)

    public var description: String {
        switch self {
        case let .unsupportedConfigValue(scheduler, key, value, supported):
            return "\(scheduler): unsupported \(key) = \(value) (supported: \(supported.joined(separator: ", ")))"
        case let .invalidConfigValue(scheduler, key, value, expected):
            return "\(scheduler): \(key) = \(value) is not valid (\(expected)); fix the model's scheduler_config.json"
        case let .timestepsNotSet(scheduler):
            return "\(scheduler): call setTimesteps(_:) before stepping"
        case let .invalidStepCount(scheduler, steps, train):
            return "\(scheduler): \(steps) inference steps; must be between 1 and num_train_timesteps (\(train))"
        case let .tooManySteps(scheduler, steps, original, strength):
            let available = Int(Double(original) * strength)
            if strength == 1 {
                return "\(scheduler): \(steps) inference steps; at most original_inference_steps (\(original))"
            }
            return "\(scheduler): \(steps) inference steps; at most \(available) with strength \(strength) (original_inference_steps \(original) × strength)"
        case let .invalidSchedule(scheduler, steps, problem, largest):
            let fix = largest.map { "use at most \($0) steps with this scheduler and timestep spacing (or --timestep-spacing trailing)" }
                ?? "check the scheduler config's steps_offset and num_train_timesteps"
            return "\(scheduler): \(steps) inference steps: \(problem); \(fix)"
        case let .unknownTimestep(scheduler, t):
            return "\(scheduler): timestep \(t) is not in the scheduler's timesteps"
        case let .randomSourceRequired(scheduler):
            return "\(scheduler): step draws noise; pass a RandomSource (step(modelOutput:timestep:sample:random:))"
        case let .shapeMismatch(scheduler, expected, actual):
            return "\(scheduler): tensor shape \(actual) does not match \(expected)"
        case let .unsupportedClass(name):
            return "unsupported scheduler _class_name \(name) (supported: \(SchedulerFactory.supportedClassNames.joined(separator: ", ")))"
        }
    }
}

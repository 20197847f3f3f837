#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `scheduler/scheduler_config.json`: the union of the `__init__` arguments of diffusers' schedulers
/// (`diffusers/schedulers/scheduling_pndm.py`, `scheduling_ddim.py`, `scheduling_ddpm.py`,
/// `scheduling_euler_discrete.py`, `scheduling_euler_ancestral_discrete.py`,
/// `scheduling_dpmsolver_multistep.py`, `scheduling_lms_discrete.py`, `scheduling_lcm.py`; diffusers 0.42).
///
/// Most defaults are shared. Some differ between classes and are resolved from `_class_name`
/// (see `SchedulerConfig+Defaults.swift`): `timestep_spacing`, `set_alpha_to_one`, `clip_sample`,
/// `variance_type`, and LCM's / TCD's betas (`beta_start`, `beta_end`, `beta_schedule`). `converted(to:)` re-resolves them for another class the way diffusers'
/// `OtherScheduler.from_config(config)` does (keys written in the file win, missing ones take the new
/// class's default) — e.g. running SD 1.5's PNDM config as Euler gives `"linspace"` spacing.
///
/// Every default was checked against `inspect.signature(Scheduler.__init__)` of those eight classes.
/// Python's `json` writes `-Infinity` for DPMSolver's default `lambda_min_clipped`; that token is accepted.
public struct SchedulerConfig: Codable, Sendable, Equatable {
    /// `_class_name`, e.g. `PNDMScheduler` (SD 1.5), `DDIMScheduler` (SD 2.1). nil if the file has none.
    public var className: String?
    /// `_diffusers_version` (metadata).
    public var diffusersVersion: String?

    public var numTrainTimesteps: Int
    public var betaStart: Double
    public var betaEnd: Double
    /// `linear`, `scaled_linear` (SD), `squaredcos_cap_v2`, `sigmoid` (DDPM).
    public var betaSchedule: String
    /// Explicit betas overriding the schedule.
    public var trainedBetas: [Double]?
    /// `epsilon` (SD 1.x, SD 2 base), `v_prediction` (SD 2 768-v), `sample`.
    public var predictionType: String
    public var stepsOffset: Int
    /// `linspace`, `leading` or `trailing`; class-dependent default.
    public var timestepSpacing: String
    public var rescaleBetasZeroSnr: Bool

    // PNDM / DDIM / DDPM
    public var setAlphaToOne: Bool
    public var skipPrkSteps: Bool
    public var clipSample: Bool
    public var clipSampleRange: Double
    public var thresholding: Bool
    public var dynamicThresholdingRatio: Double
    public var sampleMaxValue: Double
    /// DDPM: `fixed_small` by default; DPMSolver: nil, `learned` or `learned_range`.
    public var varianceType: String?

    // Euler / LMS / DPMSolver sigma schedules
    /// Euler: `discrete` or `continuous`.
    public var timestepType: String
    /// Euler: `linear` or `log_linear`.
    public var interpolationType: String
    public var useKarrasSigmas: Bool
    public var useExponentialSigmas: Bool
    public var useBetaSigmas: Bool
    public var sigmaMin: Double?
    public var sigmaMax: Double?
    /// `zero` or `sigma_min`.
    public var finalSigmasType: String

    // DPMSolverMultistep
    public var solverOrder: Int
    /// `dpmsolver`, `dpmsolver++`, `sde-dpmsolver`, `sde-dpmsolver++`.
    public var algorithmType: String
    /// `midpoint` or `heun`.
    public var solverType: String
    public var lowerOrderFinal: Bool
    public var eulerAtFinal: Bool
    public var useLuLambdas: Bool
    public var lambdaMinClipped: Double
    public var useFlowSigmas: Bool
    public var flowShift: Double
    public var useDynamicShifting: Bool
    public var timeShiftType: String

    // LCM
    /// LCM: the length of the distillation schedule the inference timesteps are picked from (50).
    public var originalInferenceSteps: Int
    /// LCM: the factor on the timestep in the boundary-condition scalings `c_skip`, `c_out` (10).
    public var timestepScaling: Double

    /// The keys the file actually contained (used by `converted(to:)`). Not encoded.
    public var explicitKeys: Set<String> = []
    /// Where the config was read from, for error messages. Not encoded.
    public var sourceFile: String = "scheduler/scheduler_config.json"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case className = "_class_name"
        case diffusersVersion = "_diffusers_version"
        case numTrainTimesteps = "num_train_timesteps"
        case betaStart = "beta_start"
        case betaEnd = "beta_end"
        case betaSchedule = "beta_schedule"
        case trainedBetas = "trained_betas"
        case predictionType = "prediction_type"
        case stepsOffset = "steps_offset"
        case timestepSpacing = "timestep_spacing"
        case rescaleBetasZeroSnr = "rescale_betas_zero_snr"
        case setAlphaToOne = "set_alpha_to_one"
        case skipPrkSteps = "skip_prk_steps"
        case clipSample = "clip_sample"
        case clipSampleRange = "clip_sample_range"
        case thresholding
        case dynamicThresholdingRatio = "dynamic_thresholding_ratio"
        case sampleMaxValue = "sample_max_value"
        case varianceType = "variance_type"
        case timestepType = "timestep_type"
        case interpolationType = "interpolation_type"
        case useKarrasSigmas = "use_karras_sigmas"
        case useExponentialSigmas = "use_exponential_sigmas"
        case useBetaSigmas = "use_beta_sigmas"
        case sigmaMin = "sigma_min"
        case sigmaMax = "sigma_max"
        case finalSigmasType = "final_sigmas_type"
        case solverOrder = "solver_order"
        case algorithmType = "algorithm_type"
        case solverType = "solver_type"
        case lowerOrderFinal = "lower_order_final"
        case eulerAtFinal = "euler_at_final"
        case useLuLambdas = "use_lu_lambdas"
        case lambdaMinClipped = "lambda_min_clipped"
        case useFlowSigmas = "use_flow_sigmas"
        case flowShift = "flow_shift"
        case useDynamicShifting = "use_dynamic_shifting"
        case timeShiftType = "time_shift_type"
        case originalInferenceSteps = "original_inference_steps"
        case timestepScaling = "timestep_scaling"
    }

    /// Every value at the defaults of `className` (e.g. `SchedulerConfig(className: "EulerDiscreteScheduler")`).
    public init(className: String? = nil) {
        let json = className.map { "{\"_class_name\": \"\($0)\"}" } ?? "{}"
        self = try! Self(jsonData: Data(json.utf8))
        explicitKeys = []
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        explicitKeys = Set(c.allKeys.map(\.rawValue))
        let name = try c.decodeIfPresent(String.self, forKey: .className)
        className = name
        diffusersVersion = try c.decodeIfPresent(String.self, forKey: .diffusersVersion)
        numTrainTimesteps = try c.decode(.numTrainTimesteps, default: 1000)
        let betas = Self.defaultBetas(for: name)
        betaStart = try c.decode(.betaStart, default: betas.start)
        betaEnd = try c.decode(.betaEnd, default: betas.end)
        betaSchedule = try c.decode(.betaSchedule, default: betas.schedule)
        trainedBetas = try c.decodeIfPresent([Double].self, forKey: .trainedBetas)
        predictionType = try c.decode(.predictionType, default: "epsilon")
        stepsOffset = try c.decode(.stepsOffset, default: 0)
        timestepSpacing = try c.decode(.timestepSpacing, default: Self.defaultTimestepSpacing(for: name))
        rescaleBetasZeroSnr = try c.decode(.rescaleBetasZeroSnr, default: false)
        setAlphaToOne = try c.decode(.setAlphaToOne, default: Self.defaultSetAlphaToOne(for: name))
        skipPrkSteps = try c.decode(.skipPrkSteps, default: false)
        clipSample = try c.decode(.clipSample, default: Self.defaultClipSample(for: name))
        clipSampleRange = try c.decode(.clipSampleRange, default: 1.0)
        thresholding = try c.decode(.thresholding, default: false)
        dynamicThresholdingRatio = try c.decode(.dynamicThresholdingRatio, default: 0.995)
        sampleMaxValue = try c.decode(.sampleMaxValue, default: 1.0)
        varianceType = try c.decodeNullable(.varianceType, default: Self.defaultVarianceType(for: name))
        timestepType = try c.decode(.timestepType, default: "discrete")
        interpolationType = try c.decode(.interpolationType, default: "linear")
        useKarrasSigmas = try c.decode(.useKarrasSigmas, default: false)
        useExponentialSigmas = try c.decode(.useExponentialSigmas, default: false)
        useBetaSigmas = try c.decode(.useBetaSigmas, default: false)
        sigmaMin = try c.decodeIfPresent(Double.self, forKey: .sigmaMin)
        sigmaMax = try c.decodeIfPresent(Double.self, forKey: .sigmaMax)
        finalSigmasType = try c.decode(.finalSigmasType, default: "zero")
        solverOrder = try c.decode(.solverOrder, default: 2)
        algorithmType = try c.decode(.algorithmType, default: "dpmsolver++")
        solverType = try c.decode(.solverType, default: "midpoint")
        lowerOrderFinal = try c.decode(.lowerOrderFinal, default: true)
        eulerAtFinal = try c.decode(.eulerAtFinal, default: false)
        useLuLambdas = try c.decode(.useLuLambdas, default: false)
        lambdaMinClipped = try c.decode(.lambdaMinClipped, default: -Double.infinity)
        useFlowSigmas = try c.decode(.useFlowSigmas, default: false)
        flowShift = try c.decode(.flowShift, default: 1.0)
        useDynamicShifting = try c.decode(.useDynamicShifting, default: false)
        timeShiftType = try c.decode(.timeShiftType, default: "exponential")
        originalInferenceSteps = try c.decode(.originalInferenceSteps, default: 50)
        timestepScaling = try c.decode(.timestepScaling, default: 10.0)
    }
}

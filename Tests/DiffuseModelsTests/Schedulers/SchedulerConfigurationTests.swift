#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseSchedulers
import DiffuseTestSupport

/// Schedulers built from the tiny pipelines' `scheduler_config.json` (the SD 1.5 / SD 2.1 configs), the
/// class conversion of `SchedulerFactory`, `add_noise`, and the errors for unsupported settings.
@Suite("Scheduler configuration")
struct SchedulerConfigurationTests {
    static func pipelineConfig(_ folder: String) throws -> SchedulerConfig {
        let path = FixturePaths.path(folder + "/scheduler/scheduler_config.json")
        return try SchedulerConfig(jsonData: Data(contentsOf: URL(fileURLWithPath: path)), file: path)
    }

    static let trajectories = FixturePaths.path("schedulers/schedulers.safetensors")

    func timesteps(_ f: SafeTensorsFile, _ name: String) throws -> [Double] {
        let t = try f.tensor(name)
        return (0..<t.count).map { t.scalar(atFlat: $0) }
    }

    /// The SD 1.5 config (PNDM) as-is, and converted to Euler: its explicit `"timestep_spacing":
    /// "leading"` is kept, as diffusers' `EulerDiscreteScheduler.from_config` keeps it (fixture `euler_leading`).
    @Test func sd1ConfigAndConversion() throws {
        let f = try SafeTensorsFile(path: Self.trajectories)
        let config = try Self.pipelineConfig("tiny-sd1")
        var pndm = try SchedulerFactory.make(config)
        #expect(pndm is PNDMScheduler)
        try pndm.setTimesteps(10)
        #expect(pndm.timesteps == (try timesteps(f, "pndm.timesteps")))

        var euler = try SchedulerFactory.make(config, className: "EulerDiscreteScheduler")
        #expect(euler.config.timestepSpacing == "leading")
        try euler.setTimesteps(10)
        #expect(euler.timesteps == (try timesteps(f, "euler_leading.timesteps")))
        #expect(euler.initNoiseSigma == 8.450066566467285) // √(σ_max² + 1) with leading spacing
    }

    /// The SD 2.1 config (DDIM, v-prediction) is the `ddim_v` case; the reference pipeline's 3-step
    /// timesteps and initial latents agree too.
    @Test func sd2ConfigAndPipelineReference() throws {
        let config = try Self.pipelineConfig("tiny-sd2")
        var ddim = try SchedulerFactory.make(config)
        #expect(ddim is DDIMScheduler)
        try ddim.setTimesteps(10)
        let f = try SafeTensorsFile(path: Self.trajectories)
        #expect(ddim.timesteps == (try timesteps(f, "ddim_v.timesteps")))

        for folder in ["tiny-sd1", "tiny-sd2"] {
            let reference = try SafeTensorsFile(path: FixturePaths.path(folder + "/reference.safetensors"))
            var scheduler = try SchedulerFactory.make(try Self.pipelineConfig(folder))
            try scheduler.setTimesteps(3)
            #expect(scheduler.timesteps == (try timesteps(reference, "pipeline.timesteps")), "\(folder)")
            var random = TorchRandomSource(seed: 0)
            let latents = scheduler.initialLatents(shape: [1, 4, 16, 16], random: &random)
            let report = closeness(latents, try reference.tensor("pipeline.init_latents"), rtol: 0, atol: 0)
            #expect(report.passes, "\(folder) init_latents: \(report)")
        }
    }

    /// `add_noise`: √ᾱ·x + √(1 − ᾱ)·ε for the alpha-based schedulers (and DPM-Solver, via σ),
    /// x + σ·ε for the sigma-based ones.
    @Test func addNoise() throws {
        let config = try Self.pipelineConfig("tiny-sd1")
        var random = TorchRandomSource(seed: 5)
        let x = random.randn([1, 4, 4, 4]), e = random.randn([1, 4, 4, 4])
        let xs = x.floats(), es = e.floats()
        for name in SchedulerFactory.supportedClassNames {
            var s = try SchedulerFactory.make(config, className: name)
            try s.setTimesteps(10)
            let t = s.timesteps[3]
            let noisy = try s.addNoise(to: x, noise: e, timestep: t, on: CPUBackend()).floats()
            let expected: [Double]
            if let sigmas = s.sigmas, name != "DPMSolverMultistepScheduler" {
                let sigma = Double(sigmas[3])
                expected = (0..<xs.count).map { Double(xs[$0]) + sigma * Double(es[$0]) }
            } else {
                let a = name == "DPMSolverMultistepScheduler"
                    ? 1 / (1 + Double(s.sigmas![3]) * Double(s.sigmas![3]))
                    : Double(s.noiseSchedule.alphasCumprod[Int(t)])
                expected = (0..<xs.count).map { a.squareRoot() * Double(xs[$0]) + (1 - a).squareRoot() * Double(es[$0]) }
            }
            let report = closeness(Tensor(noisy, shape: [noisy.count]), expected, shape: [expected.count], rtol: 1e-6, atol: 1e-6)
            #expect(report.passes, "\(name): \(report)")
        }
    }

    @Test func unsupportedValuesNameKeyAndValue() throws {
        func error(_ json: String) -> SchedulerError? {
            do {
                _ = try SchedulerFactory.make(try SchedulerConfig(jsonData: Data(json.utf8)))
                return nil
            } catch let e as SchedulerError {
                return e
            } catch {
                return nil
            }
        }
        let cases: [(String, String, String)] = [
            (#"{"_class_name": "DDIMScheduler", "beta_schedule": "sigmoid"}"#, "beta_schedule", "sigmoid"),
            (#"{"_class_name": "EulerDiscreteScheduler", "prediction_type": "flow_prediction"}"#, "prediction_type", "flow_prediction"),
            (#"{"_class_name": "PNDMScheduler", "skip_prk_steps": true, "timestep_spacing": "karras"}"#, "timestep_spacing", "karras"),
            (#"{"_class_name": "EulerDiscreteScheduler", "interpolation_type": "log_linear"}"#, "interpolation_type", "log_linear"),
            (#"{"_class_name": "PNDMScheduler", "skip_prk_steps": true, "prediction_type": "sample"}"#, "prediction_type", "sample"),
            (#"{"_class_name": "DPMSolverMultistepScheduler", "use_lu_lambdas": true}"#, "use_lu_lambdas", "true"),
            (#"{"_class_name": "DPMSolverMultistepScheduler", "algorithm_type": "dpmsolver"}"#, "final_sigmas_type", "zero (with algorithm_type dpmsolver)"),
            (#"{"_class_name": "DPMSolverMultistepScheduler", "solver_order": 3}"#, "solver_order", "3"),
            (#"{"_class_name": "DDIMScheduler", "thresholding": true}"#, "thresholding", "true"),
            (#"{"_class_name": "EulerDiscreteScheduler", "use_exponential_sigmas": true}"#, "use_exponential_sigmas", "true"),
            (#"{"_class_name": "LMSDiscreteScheduler", "use_beta_sigmas": true}"#, "use_beta_sigmas", "true"),
        ]
        for (json, key, value) in cases {
            let e = error(json)
            guard case let .unsupportedConfigValue(_, k, v, _)? = e else {
                Issue.record("\(json): expected unsupportedConfigValue, got \(String(describing: e))")
                continue
            }
            #expect(k == key && v == value, "\(json): \(e!)")
            #expect(e!.description.contains(key) && e!.description.contains(value))
        }
        #expect(error(#"{"_class_name": "HeunDiscreteScheduler"}"#) == .unsupportedClass("HeunDiscreteScheduler"))
    }

    @Test func misuseErrors() throws {
        var euler = try SchedulerFactory.make(try Self.pipelineConfig("tiny-sd1"), className: "EulerDiscreteScheduler")
        let x = Tensor(zeros: [1, 4, 2, 2])
        #expect(throws: SchedulerError.timestepsNotSet(scheduler: "EulerDiscreteScheduler")) {
            try euler.step(modelOutput: x, timestep: 1, sample: x, on: CPUBackend())
        }
        #expect(throws: SchedulerError.self) { try euler.setTimesteps(0) }
        try euler.setTimesteps(5)
        #expect(throws: SchedulerError.unknownTimestep(scheduler: "EulerDiscreteScheduler", timestep: 3.5)) {
            try euler.scaleModelInput(x, timestep: 3.5, on: CPUBackend())
        }
        var ancestral = try SchedulerFactory.make(try Self.pipelineConfig("tiny-sd1"), className: "EulerAncestralDiscreteScheduler")
        try ancestral.setTimesteps(5)
        #expect(throws: SchedulerError.randomSourceRequired(scheduler: "EulerAncestralDiscreteScheduler")) {
            try ancestral.step(modelOutput: x, timestep: ancestral.timesteps[0], sample: x, on: CPUBackend())
        }
    }
}

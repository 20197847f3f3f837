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

/// What `LCMScheduler` adds beyond the trajectories of `SchedulerFixtureTests` (cases `lcm_*`): the
/// `set_timesteps` schedules for other `original_inference_steps` and `strength` values and the
/// arguments diffusers refuses (metadata `__lcm_schedules__` of Fixtures/schedulers/schedulers.safetensors),
/// the class defaults, the noise drawn on every step but the last, and the one-line errors.
@Suite("LCM scheduler")
struct LCMSchedulerTests {
    struct Schedules: Decodable {
        struct Case: Decodable {
            let tensor: String
            let steps: Int
            let original_inference_steps: Int
            let strength: Double
        }
        struct Refused: Decodable {
            let steps: Int
            let original_inference_steps: Int
            let strength: Double
            let error: String
        }
        let cases: [Case]
        let refused: [Refused]
    }

    static func schedules() throws -> (SafeTensorsFile, Schedules) {
        let f = try SafeTensorsFile(path: SchedulerFixtureTests.file)
        let json = try #require(f.metadata["__lcm_schedules__"])
        return (f, try JSONDecoder().decode(Schedules.self, from: Data(json.utf8)))
    }

    static func lcm(_ json: String = #"{"_class_name": "LCMScheduler"}"#) throws -> LCMScheduler {
        try LCMScheduler(config: try SchedulerConfig(jsonData: Data(json.utf8)))
    }

    /// Timesteps equal diffusers' exactly (integers) for every listed (steps, original steps, strength).
    @Test func schedulesMatchDiffusers() throws {
        let (f, schedules) = try Self.schedules()
        #expect(schedules.cases.count >= 9)
        for c in schedules.cases {
            var scheduler = try Self.lcm()
            try scheduler.setTimesteps(c.steps, originalInferenceSteps: c.original_inference_steps, strength: c.strength)
            let t = try f.tensor(c.tensor)
            #expect(scheduler.timesteps == (0..<t.count).map { t.scalar(atFlat: $0) },
                    "steps \(c.steps), original \(c.original_inference_steps), strength \(c.strength)")
        }
    }

    /// Each argument set diffusers refuses with a ValueError is refused here too, with a one-line error.
    @Test func refusesWhatDiffusersRefuses() throws {
        let (_, schedules) = try Self.schedules()
        #expect(!schedules.refused.isEmpty)
        for r in schedules.refused {
            var scheduler = try Self.lcm()
            do {
                try scheduler.setTimesteps(r.steps, originalInferenceSteps: r.original_inference_steps, strength: r.strength)
                Issue.record("accepted \(r.steps) steps, original \(r.original_inference_steps), strength \(r.strength); diffusers: \(r.error)")
            } catch let e as SchedulerError {
                #expect(!"\(e)".contains("\n") && "\(e)".hasPrefix("LCMScheduler: "), "\(e)")
            }
        }
    }

    @Test func tooManyStepsMessages() throws {
        var scheduler = try Self.lcm()
        #expect(throws: SchedulerError.tooManySteps(scheduler: "LCMScheduler", steps: 51, originalSteps: 50, strength: 1)) {
            try scheduler.setTimesteps(51)
        }
        #expect("\(SchedulerError.tooManySteps(scheduler: "LCMScheduler", steps: 51, originalSteps: 50, strength: 1))"
                == "LCMScheduler: 51 inference steps; at most original_inference_steps (50)")
        #expect("\(SchedulerError.tooManySteps(scheduler: "LCMScheduler", steps: 6, originalSteps: 50, strength: 0.1))"
                == "LCMScheduler: 6 inference steps; at most 5 with strength 0.1 (original_inference_steps 50 × strength)")
        #expect(throws: SchedulerError.self) { try scheduler.setTimesteps(0) }
    }

    /// Config values the scheduler cannot honour are refused at construction, naming key and value.
    @Test func unsupportedConfigValues() throws {
        let cases: [(String, String, String)] = [
            (#"{"_class_name": "LCMScheduler", "thresholding": true}"#, "thresholding", "true"),
            (#"{"_class_name": "LCMScheduler", "original_inference_steps": 0}"#, "original_inference_steps", "0"),
            (#"{"_class_name": "LCMScheduler", "original_inference_steps": 1001}"#, "original_inference_steps", "1001"),
            (#"{"_class_name": "LCMScheduler", "prediction_type": "flow_prediction"}"#, "prediction_type", "flow_prediction"),
            (#"{"_class_name": "LCMScheduler", "beta_schedule": "sigmoid"}"#, "beta_schedule", "sigmoid"),
        ]
        for (json, key, value) in cases {
            do {
                _ = try Self.lcm(json)
                Issue.record("accepted \(json)")
            } catch let SchedulerError.unsupportedConfigValue(scheduler, k, v, _) {
                #expect(scheduler == "LCMScheduler" && k == key && v == value, "\(json)")
            }
        }
    }

    /// diffusers' LCMScheduler defaults (`inspect.signature(LCMScheduler.__init__)`, 0.42.1): SD's betas,
    /// no clipping, α to one, leading spacing, 50 original steps, timestep scaling 10 — both for a bare
    /// config and for SD 1.5's PNDM config converted (`LCMScheduler.from_config`).
    @Test func defaultsAndConversion() throws {
        let bare = SchedulerConfig(className: "LCMScheduler")
        #expect(bare.betaStart == 0.00085 && bare.betaEnd == 0.012 && bare.betaSchedule == "scaled_linear")
        #expect(!bare.clipSample && bare.setAlphaToOne && bare.timestepSpacing == "leading")
        #expect(bare.originalInferenceSteps == 50 && bare.timestepScaling == 10)
        // A DDIM config without betas keeps DDIM's defaults; as LCM it takes LCM's.
        let ddim = SchedulerConfig(className: "DDIMScheduler")
        #expect(ddim.betaStart == 0.0001 && ddim.clipSample)
        let converted = ddim.converted(to: "LCMScheduler")
        #expect(converted.betaStart == 0.00085 && converted.betaSchedule == "scaled_linear" && !converted.clipSample)

        let path = FixturePaths.path("tiny-sd1/scheduler/scheduler_config.json")
        let sd1 = try SchedulerConfig(jsonData: Data(contentsOf: URL(fileURLWithPath: path)), file: path)
        let scheduler = try SchedulerFactory.make(sd1, className: "LCMScheduler")
        #expect(scheduler is LCMScheduler)
        #expect(!scheduler.config.clipSample && !scheduler.config.setAlphaToOne && scheduler.config.stepsOffset == 1)
        #expect(scheduler.usesRandomness && scheduler.initNoiseSigma == 1 && scheduler.sigmas == nil)
    }

    /// `c_skip`, `c_out` at t = 999 and 0 (float32, as torch on the int64 timestep):
    /// s = 9990 → c_skip = 0.25 / (s² + 0.25) ≈ 2.5e-9, c_out ≈ 1; s = 0 → c_skip = 1, c_out = 0.
    @Test func boundaryScalings() throws {
        let scheduler = try Self.lcm()
        let high = scheduler.boundaryScalings(timestep: 999)
        #expect(abs(high.cSkip - 2.5050e-9) < 1e-12 && abs(high.cOut - 1) < 1e-6)
        let zero = scheduler.boundaryScalings(timestep: 0)
        #expect(zero.cSkip == 1 && zero.cOut == 0)
    }

    /// diffusers draws `randn(sample.shape)` on every step except the last: after a 4-step run the
    /// generator has made exactly 1 + 3 draws (the initial latents and 3 noises).
    @Test func noiseOnEveryStepButTheLast() throws {
        var scheduler = try Self.lcm()
        try scheduler.setTimesteps(4)
        let shape = [2, 4, 4, 4]
        var random = TorchRandomSource(seed: 3)
        var sample = scheduler.initialLatents(shape: shape, random: &random)
        for t in scheduler.timesteps {
            sample = try scheduler.step(modelOutput: sample, timestep: t, sample: sample, random: &random, on: CPUBackend())
        }
        var expected = TorchRandomSource(seed: 3)
        for _ in 0..<4 { _ = expected.normal(count: 128) }
        #expect(random.normal(count: 16) == expected.normal(count: 16))
        // Without a random source, stepping is refused (LCM draws noise).
        var fresh = try Self.lcm()
        try fresh.setTimesteps(2)
        #expect(throws: SchedulerError.randomSourceRequired(scheduler: "LCMScheduler")) {
            _ = try fresh.step(modelOutput: sample, timestep: fresh.timesteps[0], sample: sample, on: CPUBackend())
        }
    }
}

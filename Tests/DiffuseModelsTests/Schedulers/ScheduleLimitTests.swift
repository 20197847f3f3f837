import Foundation
import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseSchedulers

/// Step counts and config values that used to trap (issue #20): leading spacing with `steps_offset` 1 at
/// 1000 steps (the default model's PNDM, DDIM, DPM++ read `alphas_cumprod[1000]` or repeat a timestep),
/// hostile `num_train_timesteps`, `trained_betas` of the wrong length, β outside (0, 1). Each is refused
/// with one line naming the value and what works; the largest valid step count runs every step.
@Suite("Schedule limits")
struct ScheduleLimitTests {
    /// The default model's scheduler (Models/diffuse-shapes: SD's PNDM config, leading, steps_offset 1).
    static func config(_ className: String, _ overrides: [String: Any] = [:]) throws -> SchedulerConfig {
        let base: [String: Any] = ["_class_name": className, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
                                   "beta_end": 0.012, "num_train_timesteps": 1000, "steps_offset": 1,
                                   "timestep_spacing": "leading", "skip_prk_steps": true, "set_alpha_to_one": false]
        return try SchedulerConfig(jsonData: try JSONSerialization.data(withJSONObject: base.merging(overrides) { $1 }))
    }

    @Test(arguments: [("PNDMScheduler", 999), ("DDIMScheduler", 999), ("DPMSolverMultistepScheduler", 998)])
    func leadingSpacingNamesTheLargestStepCount(className: String, largest: Int) throws {
        var scheduler = try SchedulerFactory.make(try Self.config(className))
        #expect {
            try scheduler.setTimesteps(1000)
        } throws: { error in
            guard case let .invalidSchedule(_, steps, _, valid)? = error as? SchedulerError else { return false }
            return steps == 1000 && valid == largest
                && "\(error)".contains("use at most \(largest) steps")
        }
        // The largest count runs to the end: every timestep is a training timestep, and every step works.
        try scheduler.setTimesteps(largest)
        #expect(scheduler.timesteps.allSatisfy { $0 >= 0 && $0 <= 999 })
        let finite = try Self.runsToFiniteSample(&scheduler, modelOutput: 0.1)
        #expect(finite)
    }

    @Test func hostileTrainingTimestepsAreRefusedBeforeAllocating() throws {
        for className in ["PNDMScheduler", "DDIMScheduler", "EulerDiscreteScheduler", "LCMScheduler"] {
            #expect {
                _ = try SchedulerFactory.make(try Self.config(className, ["num_train_timesteps": 1_000_000_000]))
            } throws: { "\($0)".contains("num_train_timesteps = 1000000000 is not valid") }
        }
    }

    @Test func trainedBetasMustCoverEveryTimestep() throws {
        #expect {
            _ = try SchedulerFactory.make(try Self.config("PNDMScheduler", ["trained_betas": Array(repeating: 0.01, count: 10)]))
        } throws: { "\($0)".contains("trained_betas = a list of 10 is not valid") }
        // The right length with a steps_offset: runs every step (used to index out of range).
        let betas = (0..<1000).map { 0.0001 + Double($0) * 0.00002 }
        var scheduler = try SchedulerFactory.make(try Self.config("PNDMScheduler", ["trained_betas": betas]))
        try scheduler.setTimesteps(20)
        let finite = try Self.runsToFiniteSample(&scheduler, modelOutput: nil)
        #expect(finite)
    }

    /// Steps `scheduler` through its timesteps on a 2×2 sample of 0.5 with a constant model output
    /// (nil: the sample itself); true when the result is finite.
    static func runsToFiniteSample(_ scheduler: inout any Scheduler, modelOutput: Float?) throws -> Bool {
        let backend = CPUBackend()
        var sample = backend.upload(Tensor(Array(repeating: Float(0.5), count: 4), shape: [1, 1, 2, 2]))
        let constant = modelOutput.map { backend.upload(Tensor(Array(repeating: $0, count: 4), shape: [1, 1, 2, 2])) }
        for t in scheduler.timesteps {
            sample = try scheduler.step(modelOutput: constant ?? sample, timestep: t, sample: sample, on: backend)
        }
        return sample.toHost().floats().allSatisfy(\.isFinite)
    }

    @Test func betasOutsideZeroOneAreRefused() throws {
        #expect {
            _ = try SchedulerFactory.make(try Self.config("DDIMScheduler", ["beta_end": 1.5]))
        } throws: { "\($0)".contains("beta_end = 1.5 is not valid") }
        let bad = [1.0] + Array(repeating: 0.01, count: 999)
        #expect {
            _ = try SchedulerFactory.make(try Self.config("EulerDiscreteScheduler", ["trained_betas": bad]))
        } throws: { "\($0)".contains("β[0] = 1.0") }
    }
}

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

/// Every case of `Fixtures/schedulers/schedulers.safetensors`: diffusers' timesteps, sigmas,
/// `alphas_cumprod`, `init_noise_sigma`, and a trajectory of 10 steps (LCM: 1–8) (`scale_model_input` and
/// `step` outputs, with the stored fake model outputs), run with the same `TorchRandomSource(seed: 0)` stream.
@Suite("Scheduler trajectories vs diffusers")
struct SchedulerFixtureTests {
    static let file = FixturePaths.path("schedulers/schedulers.safetensors")

    struct Meta: Decodable {
        let `class`: String
        let init_noise_sigma: Double
        let n_steps_run: Int
        let num_inference_steps: Int
        let seed: UInt64
        let shape: [Int]
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let className: String
        let configJSON: String
        let initNoiseSigma: Double
        let stepsRun: Int
        let steps: Int
        let seed: UInt64
        let shape: [Int]
        var description: String { name }
    }

    /// The `"config": {…}` object of a metadata entry, as JSON text.
    static func configObject(in json: String) -> String {
        let start = json.firstRange(of: "\"config\": {")!.upperBound
        var depth = 1, i = start
        while depth > 0 {
            if json[i] == "{" { depth += 1 } else if json[i] == "}" { depth -= 1 }
            i = json.index(after: i)
        }
        return "{" + json[start..<i]
    }

    static func cases() throws -> [Case] {
        let f = try SafeTensorsFile(path: file)
        return try f.metadata.keys.filter { !$0.hasPrefix("__") }.sorted().map { name in
            let text = f.metadata[name]!
            // JSONDecoder rejects Python's -Infinity token; Meta does not need the config object.
            let m = try JSONDecoder().decode(Meta.self, from: Data(text.replacing("-Infinity", with: "null").utf8))
            return Case(name: name, className: m.class, configJSON: configObject(in: text), initNoiseSigma: m.init_noise_sigma,
                        stepsRun: m.n_steps_run, steps: m.num_inference_steps, seed: m.seed, shape: m.shape)
        }
    }

    static func makeScheduler(_ c: Case) throws -> any Scheduler {
        var config = try SchedulerConfig(jsonData: Data(c.configJSON.utf8))
        config.className = c.className
        return try SchedulerFactory.make(config)
    }

    @Test(arguments: try cases())
    func scheduleMatches(_ c: Case) throws {
        let f = try SafeTensorsFile(path: Self.file)
        var scheduler = try Self.makeScheduler(c)
        try scheduler.setTimesteps(c.steps)

        // alphas_cumprod: float32 schedule built exactly as torch builds it.
        let expectedAlphas = try f.tensor(c.name + ".alphas_cumprod").floats()
        let alphaMismatches = zip(scheduler.noiseSchedule.alphasCumprod, expectedAlphas).filter { $0 != $1 }.count
        #expect(alphaMismatches == 0, "alphas_cumprod: \(alphaMismatches) of 1000 differ")

        let expectedTimesteps = try f.tensor(c.name + ".timesteps")
        let timesteps = (0..<expectedTimesteps.count).map { expectedTimesteps.scalar(atFlat: $0) }
        #expect(scheduler.timesteps == timesteps)

        if f.names.contains(c.name + ".sigmas") {
            let expected = try f.tensor(c.name + ".sigmas")
            let sigmas = try #require(scheduler.sigmas)
            // torch's `** 0.5` behind diffusers' σ table is not correctly rounded (see `compare`):
            // measured ≤ 1 ulp (≤ 1.2e-7 relative); 1e-6 allows for that and nothing more.
            let report = closeness(Tensor(sigmas, shape: [sigmas.count]), expected, rtol: 1e-6, atol: 0)
            #expect(report.passes, "sigmas: \(report)")
        } else {
            #expect(scheduler.sigmas == nil)
        }
        #expect(scheduler.initNoiseSigma == Float(c.initNoiseSigma))
    }

    @Test(arguments: try cases())
    func trajectoryMatches(_ c: Case) throws {
        let f = try SafeTensorsFile(path: Self.file)
        var scheduler = try Self.makeScheduler(c)
        try scheduler.setTimesteps(c.steps)
        var random = TorchRandomSource(seed: c.seed)
        var sample = scheduler.initialLatents(shape: c.shape, random: &random)
        let initReport = closeness(sample, try f.tensor(c.name + ".init_sample"), rtol: 0, atol: 0)
        #expect(initReport.passes, "init_sample: \(initReport)")

        #expect(scheduler.timesteps.count == c.stepsRun)
        var worst = 0.0
        for (i, t) in scheduler.timesteps.enumerated() {
            let scaled = try scheduler.scaleModelInput(sample, timestep: t, on: CPUBackend())
            let scaledReport = Self.compare(scaled, try f.tensor(c.name + ".scaled_input.\(i)"))
            #expect(scaledReport.passes, "step \(i) scaled_input: \(scaledReport)")
            let modelOutput = try f.tensor(c.name + ".model_output.\(i)")
            sample = try scheduler.step(modelOutput: modelOutput, timestep: t, sample: sample, random: &random, on: CPUBackend())
            let expected = try f.tensor(c.name + ".prev_sample.\(i)")
            let report = Self.compare(sample, expected)
            worst = max(worst, report.maxAbsError / Self.largest(expected))
            #expect(report.passes, "step \(i) (t = \(t)) prev_sample: \(report)")
        }
        print("\(c.name): worst step error / max|sample| = \(worst)")
    }

    static func largest(_ t: Tensor) -> Double { Double(t.floats().map(abs).max() ?? 0) }

    /// Tolerance: |actual − expected| ≤ 4e-6 · max|expected| for every element (≈ 32 float32 ulp of the
    /// largest element). Why: both sides compute in float32 in the same order, but not with the same
    /// elementary functions: torch's `sqrt`, `log`, `exp` and `** 0.5` on this build (MKL / Sleef
    /// vector math, even on 0-dim tensors) are not correctly rounded — *measured*: 16% of float32
    /// `torch.sqrt` results and 6% of `torch.log` results are 1 ulp off the correctly rounded value —
    /// while we use exact `sqrt` and glibc `logf`/`expf`. So σ tables and step coefficients differ by an
    /// ulp here and there, which then propagates through 10 steps. *Measured*: the worst case is
    /// 8.0e-7 · max|expected| (Euler a); the others 1.2e-7 … 5.7e-7 — a 5× margin. A wrong formula (a
    /// wrong σ index, a missing term) gives errors of 1e-3 or more. LMS: see `LMSDiscreteScheduler`
    /// (exact integration instead of scipy's `quad`; the difference is ≈ 1e-7 relative, inside this bound).
    static func compare(_ actual: Tensor, _ expected: Tensor, relativeTo bound: Double = 4e-6) -> Closeness {
        closeness(actual, expected, rtol: 0, atol: bound * largest(expected))
    }
}

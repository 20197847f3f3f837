#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseSchedulers
import DiffuseTestSupport

@Suite("Scheduler config")
struct SchedulerConfigTests {
    func load(_ name: String) throws -> SchedulerConfig {
        let path = FixturePaths.path("configs/" + name)
        return try SchedulerConfig(jsonData: try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
    }

    func decode(_ json: String) throws -> SchedulerConfig { try SchedulerConfig(jsonData: Data(json.utf8)) }

    @Test func sd15PNDM() throws {
        let s = try load("sd15/scheduler.json")
        #expect(s.className == "PNDMScheduler")
        #expect(s.diffusersVersion == "0.6.0")
        #expect(s.numTrainTimesteps == 1000)
        #expect(s.betaStart == 0.00085 && s.betaEnd == 0.012)
        #expect(s.betaSchedule == "scaled_linear")
        #expect(s.trainedBetas == nil)
        #expect(s.skipPrkSteps)
        #expect(!s.setAlphaToOne)
        #expect(s.stepsOffset == 1)
        #expect(!s.clipSample)
        // Not in the 0.6.0 file: PNDM's defaults (diffusers 0.42 `PNDMScheduler.from_config` agrees).
        #expect(s.predictionType == "epsilon")
        #expect(s.timestepSpacing == "leading")
        #expect(s.sourceFile.hasSuffix("sd15/scheduler.json"))
    }

    @Test func sd21DDIM() throws {
        let s = try load("sd21/scheduler.json")
        #expect(s.className == "DDIMScheduler")
        #expect(s.predictionType == "v_prediction")
        #expect(!s.clipSample)
        #expect(!s.setAlphaToOne)          // written in the file (DDIM's own default would be true)
        #expect(s.timestepSpacing == "leading")
        #expect(s.stepsOffset == 1)
        #expect(s.clipSampleRange == 1.0 && !s.thresholding && s.dynamicThresholdingRatio == 0.995)
        #expect(!s.rescaleBetasZeroSnr)
    }

    @Test func classDependentDefaults() throws {
        #expect(try decode(#"{"_class_name": "DDIMScheduler"}"#).setAlphaToOne)
        #expect(try decode(#"{"_class_name": "DDIMScheduler"}"#).clipSample)
        #expect(try !decode(#"{"_class_name": "PNDMScheduler"}"#).setAlphaToOne)
        #expect(try decode(#"{"_class_name": "DDPMScheduler"}"#).varianceType == "fixed_small")
        #expect(try decode(#"{"_class_name": "DPMSolverMultistepScheduler"}"#).varianceType == nil)
        for name in ["EulerDiscreteScheduler", "EulerAncestralDiscreteScheduler", "DPMSolverMultistepScheduler", "LMSDiscreteScheduler"] {
            #expect(try decode("{\"_class_name\": \"\(name)\"}").timestepSpacing == "linspace", "\(name)")
        }
        for name in ["PNDMScheduler", "DDIMScheduler", "DDPMScheduler"] {
            #expect(try decode("{\"_class_name\": \"\(name)\"}").timestepSpacing == "leading", "\(name)")
        }
        let dpm = SchedulerConfig(className: "DPMSolverMultistepScheduler")
        #expect(dpm.solverOrder == 2 && dpm.algorithmType == "dpmsolver++" && dpm.solverType == "midpoint")
        #expect(dpm.lowerOrderFinal && !dpm.eulerAtFinal && !dpm.useKarrasSigmas)
        #expect(dpm.finalSigmasType == "zero" && dpm.lambdaMinClipped == -.infinity)
        let euler = SchedulerConfig(className: "EulerDiscreteScheduler")
        #expect(euler.timestepType == "discrete" && euler.interpolationType == "linear")
        #expect(euler.sigmaMin == nil && euler.sigmaMax == nil && !euler.useExponentialSigmas)
        let none = SchedulerConfig()
        #expect(none.className == nil && none.betaSchedule == "linear" && none.betaStart == 0.0001 && none.betaEnd == 0.02)
    }

    @Test func convertedToAnotherClassLikeFromConfig() throws {
        // diffusers 0.42: EulerDiscreteScheduler.from_config(sd15 PNDM config) → timestep_spacing
        // "linspace"; DDIMScheduler.from_config(same) keeps the written set_alpha_to_one = false.
        let pndm = try load("sd15/scheduler.json")
        let euler = pndm.converted(to: "EulerDiscreteScheduler")
        #expect(euler.className == "EulerDiscreteScheduler")
        #expect(euler.timestepSpacing == "linspace")
        #expect(euler.betaSchedule == "scaled_linear" && euler.stepsOffset == 1)
        let ddim = pndm.converted(to: "DDIMScheduler")
        #expect(!ddim.setAlphaToOne)
        #expect(ddim.timestepSpacing == "leading")
        // A key written in the file is kept across conversion.
        let trailing = try decode(#"{"_class_name": "DDIMScheduler", "timestep_spacing": "trailing"}"#)
        #expect(trailing.converted(to: "EulerDiscreteScheduler").timestepSpacing == "trailing")
        #expect(trailing.explicitKeys == ["_class_name", "timestep_spacing"])
    }

    @Test func pythonJSONInfinityAndNulls() throws {
        // What diffusers writes for a DPM-Solver++ scheduler (json.dump of -inf).
        let s = try decode("""
            {"_class_name": "DPMSolverMultistepScheduler", "_diffusers_version": "0.21.0",
             "algorithm_type": "sde-dpmsolver++", "lambda_min_clipped": -Infinity, "variance_type": null,
             "use_karras_sigmas": true, "solver_order": 2, "trained_betas": null, "timestep_spacing": "trailing",
             "final_sigmas_type": "sigma_min", "sample_max_value": 1.0, "note": "Infinity inside a string stays"}
            """)
        #expect(s.lambdaMinClipped == -.infinity)
        #expect(s.algorithmType == "sde-dpmsolver++")
        #expect(s.useKarrasSigmas)
        #expect(s.varianceType == nil)
        #expect(s.finalSigmasType == "sigma_min")
        #expect(s.timestepSpacing == "trailing")
        let betas = try decode(#"{"trained_betas": [0.1, 0.2, 0.3]}"#)
        #expect(betas.trainedBetas == [0.1, 0.2, 0.3])
    }

    @Test func wrongTypeThrowsDecodingError() {
        #expect(throws: DecodingError.self) { try decode(#"{"num_train_timesteps": "1000"}"#) }
    }
}

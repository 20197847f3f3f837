import Testing
import DiffuseCore
import DiffuseCPU
import DiffusePipeline
import DiffuseSchedulers
import DiffuseTestSupport

/// The stage protocol (`DiffusionPipeline`): a pipeline assembled from SD's own stages plus a new one
/// runs the same loop; hooks see every step; extra conditioning a model cannot take is refused.
@Suite struct PipelineStagesTests {
    /// A family made of SD 1's stages with another decoder (here: the latents themselves), as SDXL or a
    /// tiny autoencoder would plug in their own stage.
    final class LatentOutputPipeline: DiffusionPipeline, @unchecked Sendable {
        let base: StableDiffusionPipeline
        init(_ base: StableDiffusionPipeline) { self.base = base }
        struct Identity: LatentDecoding { func decode(_ latents: Tensor, tiled: Bool) throws -> Tensor { latents } }
        var backend: any Backend { base.backend }
        var promptEncoder: any PromptEncoding { base.promptEncoder }
        var denoiser: any Denoiser { base.denoiser }
        var latentDecoder: any LatentDecoding { Identity() }
        func latentPreparation(for config: GenerationConfiguration) throws -> any LatentPreparation {
            try base.latentPreparation(for: config)
        }
        func makeScheduler(_ choice: SchedulerChoice?, timestepSpacing: String?) throws -> any Scheduler {
            try base.makeScheduler(choice, timestepSpacing: timestepSpacing)
        }
        func validate(_ config: GenerationConfiguration) throws -> (width: Int, height: Int) { try base.validate(config) }
    }

    static func config() -> GenerationConfiguration {
        var config = GenerationConfiguration(prompt: "a photo of a cat")
        config.steps = 3
        config.seed = 0
        config.width = 32
        config.height = 32
        return config
    }

    @Test func aNewStagePlugsIntoTheSameLoop() throws {
        let sd = try PipelineFixture.pipeline("tiny-sd1")
        let reference = try sd.textToImage(Self.config())
        let custom = try LatentOutputPipeline(sd).generate(Self.config())
        #expect(custom.images.floats() == reference.latents.floats(), "same prompt, latents and loop; only stage 4 differs")
        #expect(custom.timesteps == reference.timesteps && custom.seed == reference.seed)
    }

    final class StepRecorder: ConditioningHook, @unchecked Sendable {
        var seen: [DenoisingStep] = []
        var addsExtra = false
        func prepare(_ inputs: inout DenoiserInputs, step: DenoisingStep) throws {
            seen.append(step)
            #expect(inputs.sample.shape == [2, 4, 16, 16] && inputs.encoderHiddenStates.size(0) == 2)
            if addsExtra { inputs.extras["time_ids"] = inputs.sample }
        }
    }

    @Test func hooksSeeEveryStepAndUnusableExtrasAreRefused() throws {
        let sd = try PipelineFixture.pipeline("tiny-sd1")
        let recorder = StepRecorder()
        var denoiser = sd.denoiser as! UNetDenoiser
        denoiser.hooks = [recorder]
        var scheduler = try sd.makeScheduler(nil)
        try scheduler.setTimesteps(3)
        let conditioning = try sd.promptEncoder.encode(Self.config(), size: (32, 32))
        let latents = sd.backend.zeros([1, 4, 16, 16])
        for (i, t) in scheduler.timesteps.enumerated() {
            let step = DenoisingStep(index: i, count: scheduler.timesteps.count, timestep: t)
            let out = try denoiser.predict(latents, step: step, conditioning: conditioning, guidance: 7.5, scheduler: scheduler)
            #expect(out.shape == [1, 4, 16, 16])
        }
        #expect(recorder.seen.map(\.index) == Array(0..<scheduler.timesteps.count))
        recorder.addsExtra = true
        let step = DenoisingStep(index: 0, count: 1, timestep: scheduler.timesteps[0])
        #expect(throws: PipelineError.self) {
            _ = try denoiser.predict(latents, step: step, conditioning: conditioning, guidance: 7.5, scheduler: scheduler)
        }
    }

    @Test func stepCallbackCanPreviewAndCancel() throws {
        let sd = try PipelineFixture.pipeline("tiny-sd1")
        var previews: [[Int]] = []
        #expect(throws: PipelineError.self) {
            _ = try sd.generate(Self.config()) { step in
                previews.append(try! sd.decode(latents: step.latents).shape)
                return step.step == 2 ? .cancel : .proceed
            }
        }
        #expect(previews == [[1, 3, 32, 32], [1, 3, 32, 32]])
    }
}

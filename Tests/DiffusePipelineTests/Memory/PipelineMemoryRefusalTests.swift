import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport
import Testing

/// The pipeline refuses, before any work, a run whose predicted peak (`MemoryModel`) exceeds
/// `GenerationConfiguration.memoryLimit`, and runs one that fits — on the tiny SD 1 fixture.
struct PipelineMemoryRefusalTests {
    static func config(images: Int, limit: MemoryLimit?) -> GenerationConfiguration {
        var c = GenerationConfiguration(prompt: "a red circle")
        (c.steps, c.seed, c.width, c.height, c.imagesPerPrompt, c.memoryLimit) = (2, 0, 64, 64, images, limit)
        return c
    }

    @Test func refusesUpFrontAndRunsWhatFits() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        let needed = pipe.limits.predictedPeakBytes(width: 64, height: 64, batch: 2)
        #expect(needed > pipe.limits.predictedPeakBytes(width: 64, height: 64, batch: 1))

        var steps = 0
        do {
            _ = try pipe.generate(Self.config(images: 2, limit: .option(needed - 1))) { _ in steps += 1; return .proceed }
            Issue.record("a run over the limit was accepted")
        } catch let error as PipelineError {
            #expect(error.kind == .tooLarge)
            #expect(error.message.hasPrefix("64×64 × 2 images (f32, "), "\(error)")
            #expect(error.message.contains("more than the limit of ") && error.message.contains("(--memory-limit)"), "\(error)")
            #expect(error.message.contains("--images 1"), "\(error)")
            #expect(!error.message.contains("\n"))
        }
        #expect(steps == 0)                                              // refused before the first step

        let result = try pipe.generate(Self.config(images: 2, limit: .option(needed))) { _ in steps += 1; return .proceed }
        #expect(steps >= 2 && result.images.size(0) == 2, "\(steps) steps")
    }

    /// Image-to-image is checked the same way; no limit means no memory check.
    @Test func imageToImageAndNoLimit() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        var c = Self.config(images: 1, limit: .option(1 << 10))
        (c.width, c.height, c.initImage) = (nil, nil, Tensor(zeros: [1, 3, 64, 64]))
        do {
            _ = try pipe.generate(c)
            Issue.record("an image-to-image run over the limit was accepted")
        } catch let error as PipelineError {
            #expect(error.kind == .tooLarge && error.message.contains("1.0 KiB (--memory-limit)"), "\(error)")
        }
        #expect(throws: Never.self) { try pipe.limits.checkSize(width: 4096, height: 4096, batch: 64, limit: nil) }
    }

    /// Before loading (what `diffuse generate` checks first), the weights come from the safetensors
    /// headers; after, from the loaded models: the same prediction within the text encoder's buffers.
    @Test func folderAndLoadedPipelinePredictAlike() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        let before = GenerationLimits(folder: pipe.folder, attentionProcessor: "sdpa")
        let a = before.predictedPeakBytes(width: 64, height: 64, batch: 1)
        let b = pipe.limits.predictedPeakBytes(width: 64, height: 64, batch: 1)
        #expect(abs(a - b) <= a / 100, "\(a) vs \(b)")
        // f16 weights take half the bytes.
        let half = try PipelineFixture.pipeline("tiny-sd1", precision: .f16)
        #expect(half.limits.precision == .f16)
        #expect(half.limits.predictedPeakBytes(width: 64, height: 64, batch: 1) < b)
    }
}

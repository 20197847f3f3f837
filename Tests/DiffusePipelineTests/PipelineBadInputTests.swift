import DiffuseSources
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// Bad input through the library: each is refused before any work with one `PipelineError` line that
/// says what to fix (`diffuse generate` prints these as `error: …`).
@Suite struct PipelineBadInputTests {
    static func config(_ change: (inout GenerationConfiguration) -> Void) -> GenerationConfiguration {
        var c = GenerationConfiguration(prompt: "a photo of a cat")
        c.steps = 2
        c.seed = 0
        change(&c)
        return c
    }

    static func expectRefused(_ c: GenerationConfiguration, _ kind: PipelineError.Kind, mentioning words: [String]) throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        do {
            _ = try pipe.generate(c)
            Issue.record("accepted: \(c)")
        } catch let error as PipelineError {
            #expect(error.kind == kind, "\(error)")
            #expect(!error.message.contains("\n"), "one line: \(error)")
            for word in words { #expect(error.message.contains(word), "\(error) should mention \(word)") }
        }
    }

    @Test func zeroOrNegativeSteps() throws {
        try Self.expectRefused(Self.config { $0.steps = 0 }, .invalidConfiguration, mentioning: ["steps", "at least 1"])
        try Self.expectRefused(Self.config { $0.steps = -3 }, .invalidConfiguration, mentioning: ["steps"])
        try Self.expectRefused(Self.config { $0.steps = 1001 }, .invalidConfiguration, mentioning: ["at most 1000"])
    }

    @Test func sizeNotAMultipleOf8() throws {
        try Self.expectRefused(Self.config { $0.width = 30 }, .invalidConfiguration, mentioning: ["width 30", "multiple of 8"])
        try Self.expectRefused(Self.config { $0.height = 0 }, .invalidConfiguration, mentioning: ["height 0"])
    }

    @Test func sizeTooLarge() throws {
        try Self.expectRefused(Self.config { $0.width = 8192 }, .tooLarge, mentioning: ["width 8192", "too large"])
        // Within the side limit but beyond any test machine's memory whatever the attention kernel:
        // the VAE decoder alone keeps 3 × 64 images × 32 channels × 4096² × 4 bytes ≈ 412 GB.
        try Self.expectRefused(Self.config { $0.width = 4096; $0.height = 4096; $0.imagesPerPrompt = 64 },
                               .tooLarge, mentioning: ["GiB", "limit"])
        // With vanilla attention the score matrices count: (4096/2)² tokens² × 2 × 1 head × 4 bytes.
        let limits = GenerationLimits(folder: try PipelineFixture.pipeline("tiny-sd1").folder, attentionProcessor: "vanilla")
        #expect(throws: PipelineError.self) { try limits.checkSize(width: 4096, height: 4096) }
    }

    @Test func strengthOutsideZeroOne() throws {
        let image = Tensor(zeros: [1, 3, 32, 32])
        try Self.expectRefused(Self.config { $0.initImage = image; $0.strength = 1.5 }, .invalidConfiguration, mentioning: ["strength", "between 0 and 1"])
        try Self.expectRefused(Self.config { $0.initImage = image; $0.strength = -0.1 }, .invalidConfiguration, mentioning: ["strength"])
        // 2 steps × 0.4 = 0 steps to run: diffusers would fail on an empty schedule.
        try Self.expectRefused(Self.config { $0.initImage = image; $0.strength = 0.4 }, .invalidConfiguration, mentioning: ["no denoising step"])
    }

    @Test func initImageOfWrongShapeOrSize() throws {
        try Self.expectRefused(Self.config { $0.initImage = Tensor(zeros: [3, 32, 32]) }, .invalidConfiguration, mentioning: ["[1, 3, H, W]"])
        try Self.expectRefused(Self.config { $0.initImage = Tensor(zeros: [1, 3, 30, 32]) }, .invalidConfiguration, mentioning: ["height 30"])
    }

    @Test func otherValues() throws {
        try Self.expectRefused(Self.config { $0.imagesPerPrompt = 0 }, .invalidConfiguration, mentioning: ["images per prompt"])
        try Self.expectRefused(Self.config { $0.clipSkip = 2 }, .invalidConfiguration, mentioning: ["clip skip", "2 layers"])
        try Self.expectRefused(Self.config { $0.guidanceScale = .nan }, .invalidConfiguration, mentioning: ["guidance"])
    }

    /// SD 1.5's configs (Fixtures/configs/sd15, VAE factor 8, 4 UNet blocks): any multiple of 8 is a
    /// valid side (the UNet takes latents that are not multiples of 8 through diffusers' upsample_size
    /// path), e.g. 520×776 (latents 65×97); sides that are not multiples of 8 are refused saying so.
    @Test func sd15AcceptsAnyMultipleOf8() throws {
        let root = FileManager.default.temporaryDirectory.path + "/diffuse-sd15-configs-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let configs = FixturePaths.path("configs/sd15")
        for (component, file, source) in [("unet", "config.json", "unet.json"), ("vae", "config.json", "vae.json"),
                                          ("text_encoder", "config.json", "text_encoder.json"),
                                          ("scheduler", "scheduler_config.json", "scheduler.json")] {
            try FileManager.default.createDirectory(atPath: root + "/" + component, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: "\(root)/\(component)/\(file)", withDestinationPath: configs + "/" + source)
        }
        // Configs only: the folder check wants weight files to exist, the size rules never read them.
        for weights in ["unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                        "text_encoder/model.safetensors"] {
            #expect(FileManager.default.createFile(atPath: root + "/" + weights, contents: Data()))
        }
        try FileManager.default.createSymbolicLink(atPath: root + "/model_index.json", withDestinationPath: configs + "/model_index.json")
        try FileManager.default.createSymbolicLink(atPath: root + "/tokenizer", withDestinationPath: FixturePaths.path("tiny-sd1/tokenizer"))
        let limits = GenerationLimits(folder: try ModelFolder(path: root), attentionProcessor: "sdpa")
        #expect(limits.vaeScaleFactor == 8 && limits.sizeMultiple == 8)
        for (w, h) in [(520, 776), (512, 768), (8, 8), (264, 136)] {
            #expect(throws: Never.self) { try limits.checkSize(width: w, height: h) }
        }
        for (w, h) in [(516, 512), (512, 36)] {
            do {
                try limits.checkSize(width: w, height: h)
                Issue.record("\(w)×\(h) accepted")
            } catch let error as PipelineError {
                #expect(error.kind == .invalidConfiguration && error.message.contains("multiple of 8"), "\(error)")
            }
        }
    }

    /// A model folder whose unet/ is missing: `ModelFolderError` naming the folder.
    @Test func folderWithoutUNet() throws {
        let root = FileManager.default.temporaryDirectory.path + "/diffuse-no-unet-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = FixturePaths.path("tiny-sd1")
        for item in ["model_index.json", "scheduler", "text_encoder", "tokenizer", "vae"] {
            try FileManager.default.createSymbolicLink(atPath: root + "/" + item, withDestinationPath: source + "/" + item)
        }
        do {
            _ = try StableDiffusionPipeline(path: root)
            Issue.record("a folder without unet/ loaded")
        } catch let error as ModelFolderError {
            #expect(error.kind == .missingComponent)
            #expect(error.description.contains("unet"))
        }
    }

    /// The step callback sees every step and can cancel.
    @Test func callbackObservesAndCancels() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        var seen: [Int] = []
        _ = try pipe.generate(Self.config { $0.scheduler = .euler; $0.steps = 3 }) { step in
            seen.append(step.step)
            #expect(step.stepCount == 3 && step.latents.shape == [1, 4, 16, 16])
            return .proceed
        }
        #expect(seen == [1, 2, 3])
        do {
            _ = try pipe.generate(Self.config { $0.steps = 3 }) { $0.step == 2 ? .cancel : .proceed }
            Issue.record("not cancelled")
        } catch let error as PipelineError {
            #expect(error.kind == .cancelled)
            #expect(error.message.contains("after step 2"))
        }
    }

    @Test func parametersText() {
        var p = GenerationParameters(prompt: "a cat", negativePrompt: "blurry", steps: 50, sampler: "Euler a",
                                     guidanceScale: 7.5, seed: 42, width: 512, height: 768, model: "sd15")
        #expect(p.text == "a cat\nNegative prompt: blurry\nSteps: 50, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x768, Model: sd15")
        p.negativePrompt = ""
        p.guidanceScale = 7
        p.strength = 0.75
        p.batchSize = 2
        p.batchPosition = 1
        #expect(p.text == "a cat\nSteps: 50, Sampler: Euler a, CFG scale: 7.0, Seed: 42, Size: 512x768, Model: sd15, Denoising strength: 0.75, Batch size: 2, Batch pos: 1")
    }
}

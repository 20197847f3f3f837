import Foundation
import Testing
import DiffuseBench
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport

/// A pipeline whose VAE is replaced (`StableDiffusionPipeline(vae:)`, `--vae`): what it loads, what its
/// limits count, and what it refuses. Equality with diffusers is in `PipelineFixtureTests.replacedVAECase`.
@Suite struct ReplacedVAETests {
    static let taesd = FixturePaths.path("tiny-taesd")

    static func config(img2img: Bool, images: Int = 1) -> GenerationConfiguration {
        var c = GenerationConfiguration(prompt: "a photo of a cat")
        c.steps = 3
        c.seed = 5
        c.imagesPerPrompt = images
        if img2img {
            c.initImage = normalizedImage(Tensor(ids: (0..<(32 * 32 * 3)).map { ($0 * 37) % 256 }, shape: [32, 32, 3], dtype: .i32))
            c.strength = 0.7
        }
        return c
    }

    /// The model's own VAE folder given as a replacement is the same AutoencoderKL with the same weights:
    /// bit-identical images, text-to-image and image-to-image (the same noise draws).
    @Test(arguments: [false, true])
    func ownVAEFolderGivesTheSameImages(_ img2img: Bool) throws {
        let plain = try PipelineFixture.pipeline("tiny-sd1")
        let replaced = try PipelineFixture.pipeline("tiny-sd1", vae: "tiny-sd1/vae")
        #expect(replaced.vaeFolder?.path == FixturePaths.path("tiny-sd1/vae") && plain.vaeFolder == nil)
        #expect(replaced.vae.className == "AutoencoderKL")
        let config = Self.config(img2img: img2img, images: 2)
        #expect(try replaced.generate(config).images.floats() == plain.generate(config).images.floats())
    }

    @Test func tinyVAEIsLoadedAndCounted() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1", vae: "tiny-taesd")
        #expect(pipe.vae is AutoencoderTiny && pipe.vae.className == "AutoencoderTiny")
        #expect(pipe.vaeScaleFactor == 2 && pipe.sizeMultiple == 2 && pipe.defaultSize.width == 32)
        let tinyParameters = try AutoencoderTiny(directory: Self.taesd, backend: CPUBackend()).parameterCount
        guard case .parameters(_, _, let vae) = pipe.weightFootprint else { Issue.record("\(pipe.weightFootprint)"); return }
        #expect(vae == tinyParameters)
        // The limits before loading count the same VAE as the loaded pipeline.
        let folder = try ModelFolder(path: FixturePaths.path("tiny-sd1"))
        let limits = GenerationLimits(folder: folder, vae: try VAEFolder(path: Self.taesd), attentionProcessor: "sdpa")
        #expect(limits.weightFootprint == pipe.weightFootprint)
        #expect(limits.memoryModel.vae == .autoencoderTiny(try AutoencoderTinyConfig(contentsOfFile: Self.taesd + "/config.json")))
        // No attention in TAESD: setting a processor touches the UNet and text encoder only (on a pipeline of
        // its own: the cached one is shared by tests that compare images bit for bit).
        let own = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1"), vae: Self.taesd)
        try own.setAttentionProcessor(VanillaAttention())
        #expect(own.vae.attentionProcessors.isEmpty && own.unet.attentionProcessors.allSatisfy { $0.processor == "vanilla" })
    }

    /// The memory model counts the replacement: no attention scores and a narrower decoder than the SD
    /// VAE's (TAESD: 64 channels, no mid-block attention over 4096 latent pixels at 512²).
    @Test func memoryModelCountsTheTinyDecoder() throws {
        let sd15 = ModelConfigs(.sd15)
        let (fullSize, _) = try Self.fullSizeTAESD()
        let request = MemoryRequest(call: .vae, width: 512, height: 512, batch: 1, precision: .f32,
                                    attention: MemoryAttention(processorName: "vanilla"), guidance: false)
        let kl = MemoryModel(unet: sd15.unet, vae: .autoencoderKL(sd15.vae), textEncoder: sd15.textEncoder).activationBytes(request)
        let tiny = MemoryModel(unet: sd15.unet, vae: fullSize, textEncoder: sd15.textEncoder).activationBytes(request)
        #expect(tiny == 4 * 512 * 512 * MemoryModel.vaeActivationFactor * 64)
        #expect(kl > 4 * tiny, "AutoencoderKL \(kl) B, AutoencoderTiny \(tiny) B")
    }

    static func fullSizeTAESD() throws -> (VAEConfig, Data) {
        let data = try Data(contentsOf: URL(fileURLWithPath: taesd + "/taesd-keys.json"))
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let json = try JSONSerialization.data(withJSONObject: object["config"]!)
        return (try VAEConfig(jsonData: json), json)
    }

    /// f16 holds the replacement VAE's matrices in f16 as it does the model's own (`PrecisionPolicy`), and the
    /// image stays within f16's rounding of the f32 one: the f16 bound of `PipelinePrecisionTests` (≤ 1e-2;
    /// measured 2.3e-3 on this fixture, UNet, text encoder and VAE weights all rounded).
    @Test func precisionAppliesToTheReplacement() throws {
        let half = try PipelineFixture.pipeline("tiny-sd1", vae: "tiny-taesd", precision: .f16)
        #expect(half.vae.dtype == .f32 && Set(half.vae.storedDTypes.keys) == [.f16, .f32])
        let full = try PipelineFixture.pipeline("tiny-sd1", vae: "tiny-taesd")
        #expect(full.vae.storedDTypes.keys.sorted { $0.description < $1.description } == [.f32])
        let config = Self.config(img2img: false)
        let a = try half.generate(config).images.floats(), b = try full.generate(config).images.floats()
        let maxAbs = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        print("tiny-sd1 + tiny-taesd f16 vs f32: decoded max abs \(maxAbs)")
        #expect(maxAbs <= 1e-2)
    }

    // MARK: - Refusals

    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/diffuse-vae-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A VAE whose latents the UNet cannot take: refused by name before any weight is read, by the
    /// limits (the CLI's check before loading) and by the pipeline.
    @Test func latentChannelMismatchIsRefused() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = String(decoding: try Data(contentsOf: URL(fileURLWithPath: Self.taesd + "/config.json")), as: UTF8.self)
        config = config.replacingOccurrences(of: "\"latent_channels\": 4", with: "\"latent_channels\": 16")
        try Data(config.utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/diffusion_pytorch_model.safetensors",
                                                   withDestinationPath: Self.taesd + "/diffusion_pytorch_model.safetensors")
        let vae = try VAEFolder(path: folder)
        let model = try ModelFolder(path: FixturePaths.path("tiny-sd1"))
        let error = try #require(throws: PipelineError.self) {
            _ = try GenerationLimits(folder: model, vae: vae, attentionProcessor: nil).validate(Self.config(img2img: false))
        }
        #expect(error.kind == .unsupportedModel)
        #expect(error.description.contains(folder) && error.description.contains("16 latent channels")
                && error.description.contains("4 in, 4 out"), "\(error)")
        let loadError = try #require(throws: PipelineError.self) { _ = try StableDiffusionPipeline(folder: model, vae: vae) }
        #expect(loadError.description == error.description)
    }

    /// Folders that are not a VAE: one line each, naming the path and what to give instead.
    @Test func foldersThatAreNotAVAEAreNamed() throws {
        let pipelineFolder = try #require(throws: ModelFolderError.self) { _ = try VAEFolder(path: FixturePaths.path("tiny-sd1")) }
        #expect(pipelineFolder.kind == .missingConfig && pipelineFolder.description.contains("give its VAE folder, \(FixturePaths.path("tiny-sd1"))/vae"))
        let unet = try #require(throws: ConfigError.self) { _ = try VAEFolder(path: FixturePaths.path("tiny-sd1/unet")) }
        #expect(unet.key == "_class_name" && unet.description.contains("UNet2DConditionModel"))
        let tokenizer = try #require(throws: ModelFolderError.self) { _ = try VAEFolder(path: FixturePaths.path("tiny-sd1/tokenizer")) }
        #expect(tokenizer.kind == .missingConfig && tokenizer.description.contains("config.json and diffusion_pytorch_model.safetensors"))
        let missing = try #require(throws: ModelFolderError.self) { _ = try VAEFolder(path: "/nonexistent/taesd") }
        #expect(missing.kind == .missingFolder)
        let noWeights = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: noWeights) }
        try FileManager.default.copyItem(atPath: Self.taesd + "/config.json", toPath: noWeights + "/config.json")
        let weights = try #require(throws: ModelFolderError.self) { _ = try VAEFolder(path: noWeights) }
        #expect(weights.kind == .missingWeights)
    }
}

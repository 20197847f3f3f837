@testable import DiffuseSources
import Foundation
import Testing
import DiffuseCore
import DiffuseModels
import DiffuseTestSupport

/// What `--controlnet` refuses, each with one line that says what the input is and what to do.
@Suite struct ControlNetSourceBadInputTests {
    /// Runs `openControlNet` and returns its error's description (and the error), recording an issue when it succeeds.
    static func failure(_ argument: String, config: String? = nil) -> (text: String, error: any Error)? {
        do {
            _ = try ModelSource.openControlNet(argument, config: config)
            Issue.record("\(argument) opened")
            return nil
        } catch {
            let text = "\(error)"
            #expect(!text.contains("\n"), "\(text)")
            return (text, error)
        }
    }

    @Test(arguments: ["control_sd15_canny.pth", "controlnet.ckpt", "diffusion_pytorch_model.bin", "CN.PT"])
    func picklesAreRefusedBeforeReading(_ name: String) throws {
        // The file does not exist: nothing is opened.
        let error = try #require(throws: SingleFileError.self) { _ = try ModelSource.openControlNet("/nonexistent/" + name) }
        #expect(error.kind == .pickle)
        #expect(error.description.contains("arbitrary code") && error.description.contains("ControlNetModel.from_single_file"), "\(error)")
    }

    /// Single files that are something else: the error names what they look like.
    @Test(arguments: [
        ("single-file/tiny-sd1.safetensors", "a Stable Diffusion checkpoint (model.diffusion_model.*, first_stage_model.*)"),
        ("tiny-sd1/unet/diffusion_pytorch_model.safetensors", "a diffusers UNet's weights"),
        ("tiny-sd1/vae/diffusion_pytorch_model.safetensors", "a VAE"),
        ("tiny-sd1/text_encoder/model.safetensors", "a text encoder"),
        ("lora/sd1-kohya.safetensors", "a LoRA"),
    ])
    func fixtureFilesThatAreNoControlNet(_ relative: String, _ expected: String) throws {
        let error = try #require(throws: SingleFileError.self) { _ = try ModelSource.openControlNet(FixturePaths.path(relative)) }
        #expect(error.kind == .unsupported && error.description.contains(expected), "\(error)")
    }

    @Test(arguments: [
        (["lora_controlnet": [1], "input_hint_block.0.weight": [16, 3, 3, 3], "input_blocks.1.1.proj_in.up": [320, 8]], "a Control-LoRA"),
        (["adapter.conv_in.weight": [320, 192, 3, 3], "adapter.body.0.resnets.0.block1.weight": [320, 320, 3, 3]], "a T2I-Adapter"),
        (["conv_in.weight": [320, 192, 3, 3], "body.0.block1.weight": [320, 320, 3, 3]], "a T2I-Adapter"),
        (["lllite_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q.down.weight": [32, 640]], "ControlNet-LLLite"),
        (["task_embedding": [8, 320], "controlnet_cond_embedding.conv_in.weight": [16, 3, 3, 3]], "a ControlNet Union"),
        (["time_embed.0.weight": [1280, 320], "output_blocks.0.0.in_layers.0.weight": [2560]], "without a ControlNet's parts"),
        (["model.diffusion_model.time_embed.0.weight": [1280, 320]], "a UNet in the original layout (model.diffusion_model.*)"),
        (["something.weight": [4], "other.bias": [4]], "no ControlNet tensors"),
    ])
    func filesThatAreNoControlNet(_ shapes: [String: [Int]], _ expected: String) throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.file("model.safetensors", shapes: shapes)
        let error = try #require(throws: SingleFileError.self) { _ = try ModelSource.openControlNet(path) }
        #expect(error.kind == .unsupported && error.description.contains(expected), "\(error)")
        #expect(error.description.hasPrefix(path + ": "))
    }

    @Test func missingFolderFileAndHubID() throws {
        for (argument, expected) in [("/nonexistent/controlnet", "no such folder or file"),
                                     ("/nonexistent/controlnet.safetensors", "no such file"),
                                     ("org/bad name", "not a valid Hugging Face hub id")] {
            let (text, error) = try #require(Self.failure(argument))
            #expect(error is ModelSourceError && text.contains(expected), "\(text)")
        }
    }

    /// A pipeline folder, a UNet folder or an empty folder is not a ControlNet folder.
    @Test func foldersThatAreNoControlNet() throws {
        let pipeline = try #require(Self.failure(FixturePaths.path("tiny-sd1")))
        #expect((pipeline.error as? ModelFolderError)?.kind == .missingConfig && pipeline.text.contains("pipeline folder"), "\(pipeline.text)")
        let unet = try #require(Self.failure(FixturePaths.path("tiny-sd1/unet")))
        #expect((unet.error as? ConfigError)?.key == "_class_name" && unet.text.contains("UNet2DConditionModel"), "\(unet.text)")
        let tmp = try SingleFileTempDirectory()
        let empty = try #require(Self.failure(tmp.path))
        #expect((empty.error as? ModelFolderError)?.kind == .missingConfig, "\(empty.text)")
        // A folder with only a pickle: named as such.
        try FileManager.default.copyItem(atPath: ControlNetSourceSingleFileTests.folder("tiny-sd1-controlnet-a") + "/config.json",
                                         toPath: tmp.path + "/config.json")
        try Data("not a pickle".utf8).write(to: URL(fileURLWithPath: tmp.path + "/diffusion_pytorch_model.bin"))
        let pickle = try #require(Self.failure(tmp.path))
        #expect((pickle.error as? ModelFolderError)?.kind == .unsupportedWeights, "\(pickle.text)")
    }

    @Test func configAppliesToSingleFilesOnly() throws {
        let folder = ControlNetSourceSingleFileTests.folder("tiny-sd1-controlnet-a")
        let (text, error) = try #require(Self.failure(folder, config: folder))
        #expect((error as? ModelSourceError)?.kind == .invalidOption && text.contains("single .safetensors file"), "\(text)")
        let file = ControlNetSourceSingleFileTests.file("tiny-sd1-controlnet-a")
        let missing = try #require(Self.failure(file, config: "/nonexistent/config.json"))
        #expect((missing.error as? ModelFolderError)?.kind == .missingConfig, "\(missing.text)")
        let pipeline = try #require(Self.failure(file, config: FixturePaths.path("tiny-sd1")))
        #expect(pipeline.text.contains("pipeline folder"), "\(pipeline.text)")
        let unetConfig = try #require(Self.failure(file, config: FixturePaths.path("tiny-sd1/unet/config.json")))
        #expect((unetConfig.error as? ConfigError)?.key == "_class_name", "\(unetConfig.text)")
    }
}

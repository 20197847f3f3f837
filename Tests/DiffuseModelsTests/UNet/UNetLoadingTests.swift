#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// Loading failures: unsupported configs, checkpoints that do not fit, missing files. Each is one clear
/// error naming the key or path.
@Suite struct UNetLoadingTests {
    static let tinyWeights = FixturePaths.path("tiny-sd1/unet/diffusion_pytorch_model.safetensors")

    /// An added embedding other than SDXL's (here Kandinsky's "text_image") decodes (diffusers accepts
    /// it) but is refused before any weight is read, naming the key and its value.
    @Test func otherAddedEmbeddingIsRefusedAtLoadNamingTheKey() throws {
        var config = try UNet2DConditionConfig(contentsOfFile: FixturePaths.path("tiny-sd1/unet/config.json"))
        config.additionEmbedType = "text_image"
        let error = try #require(throws: ConfigError.self) {
            try UNet2DConditionModel(config: config, weightFiles: [Self.tinyWeights], backend: CPUBackend())
        }
        #expect(error.kind == .unsupported)
        #expect(error.key == "addition_embed_type")
        #expect(error.description.contains("\"text_image\"") && error.description.contains("\"text_time\""))
    }

    @Test func midBlockScaleFactorOtherThanOneIsRefused() throws {
        var config = try UNet2DConditionConfig(contentsOfFile: FixturePaths.path("tiny-sd1/unet/config.json"))
        config.midBlockScaleFactor = 2
        let error = try #require(throws: ConfigError.self) {
            try UNet2DConditionModel(config: config, weightFiles: [Self.tinyWeights], backend: CPUBackend())
        }
        #expect(error.key == "mid_block_scale_factor")
    }

    /// A checkpoint with a key removed, one of the wrong shape and one extra: one error listing all three.
    @Test func missingUnusedAndMismatchedKeysAreListedTogether() throws {
        let config = try UNet2DConditionConfig(contentsOfFile: FixturePaths.path("tiny-sd1/unet/config.json"))
        let file = try SafeTensorsFile(path: Self.tinyWeights)
        var tensors: [String: Tensor] = [:]
        for name in file.names { tensors[name] = try file.tensor(name) }
        tensors["mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"] = nil
        tensors["conv_out.bias"] = Tensor(zeros: [5])
        tensors["add_embedding.linear_1.weight"] = Tensor(zeros: [2, 2])
        let store = WeightStore(tensors: tensors, dtype: .f32, source: "unet (edited)")
        let error = try #require(throws: WeightLoadError.self) {
            try UNet2DConditionModel(config: config, weights: store, backend: CPUBackend())
        }
        #expect(error.missing == ["mid_block.attentions.0.transformer_blocks.0.attn2.to_k.weight"])
        #expect(error.unused == ["add_embedding.linear_1.weight"])
        #expect(error.mismatched == ["conv_out.bias: expected [4], found [5]"])
        #expect(error.description.contains("1 missing, 1 unused, 1 with the wrong shape"))
    }

    /// A config whose block sizes differ from the weights (here: 3 layers per block instead of 2):
    /// the resnets and attentions the weights lack are listed as missing.
    @Test func configWeightMismatchListsTheKeys() throws {
        var config = try UNet2DConditionConfig(contentsOfFile: FixturePaths.path("tiny-sd1/unet/config.json"))
        config.layersPerBlock = .uniform(3)
        let error = try #require(throws: WeightLoadError.self) {
            try UNet2DConditionModel(config: config, weightFiles: [Self.tinyWeights], backend: CPUBackend())
        }
        #expect(error.missing.contains("down_blocks.0.resnets.2.conv1.weight"))
        #expect(error.missing.contains("down_blocks.0.attentions.2.proj_in.weight"))
        #expect(!error.mismatched.isEmpty)   // the up blocks' first resnets see other skip widths
    }

    /// The same weights saved to a folder in f16 load with the f32 compute dtype (converted at load),
    /// and a folder without weights names the file it looked for.
    @Test func folderLoadingConvertsAndNamesMissingFiles() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/diffuse-unet-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: FixturePaths.path("tiny-sd1/unet/config.json"), toPath: folder + "/config.json")

        let error = try #require(throws: UNetLoadError.self) {
            try UNet2DConditionModel(directory: folder, backend: CPUBackend())
        }
        #expect(error.description.contains(folder + "/diffusion_pytorch_model.safetensors"))

        let file = try SafeTensorsFile(path: Self.tinyWeights)
        var half: [String: Tensor] = [:]
        for name in file.names { half[name] = try file.tensor(name).hostConverted(to: .f16) }
        try SafeTensors.write(half, to: folder + "/diffusion_pytorch_model.fp16.safetensors")
        let unet = try UNet2DConditionModel(directory: folder, variant: "fp16", dtype: .f32, backend: CPUBackend())
        #expect(unet.dtype == .f32)
        #expect(unet.blockSummary.first == "down_blocks.0: CrossAttnDownBlock2D 32 ch × 2, 8 heads × 4")

        let missingFolder = try #require(throws: ConfigError.self) {
            try UNet2DConditionModel(directory: folder + "/nope", backend: CPUBackend())
        }
        #expect(missingFolder.description.contains(folder + "/nope/config.json"))

        // A config.json that is not JSON: a ConfigError naming the file, before any weight is read.
        try FileManager.default.removeItem(atPath: folder + "/config.json")
        try Data("not json {".utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        let notJSON = try #require(throws: ConfigError.self) {
            try UNet2DConditionModel(directory: folder, variant: "fp16", backend: CPUBackend())
        }
        #expect(notJSON.kind == .invalidJSON)
        #expect(notJSON.description.contains(folder + "/config.json"))
    }

    /// tiny-sd2 stores float16 weights: the f32 model converts every one at load (exactly), which is
    /// what makes the float32 tolerance of `UNetFixtureTests` apply to it.
    @Test func tinySD2StoresHalfWeightsAndComputesInFloat() throws {
        let files = try UNet2DConditionModel.weightFiles(in: FixturePaths.path("tiny-sd2/unet"))
        let stored = try WeightStore(files: files, dtype: nil).storedDTypes
        #expect(Array(stored.keys) == [.f16])
        let unet = try TinyUNet.load("sd2")
        #expect(unet.dtype == .f32)
        #expect(unet.storedParameters.keys.sorted { $0.rawValue < $1.rawValue } == [.f16])
        #expect(unet.parameterCount == stored[.f16])
    }
}

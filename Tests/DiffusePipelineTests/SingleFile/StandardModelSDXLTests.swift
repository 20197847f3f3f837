import DiffuseSources
import Testing
import DiffuseCore
import DiffuseModels
import DiffusePipeline
import DiffuseTestSupport

/// Recognising SDXL base / refiner single files from their keys and shapes, and the standard SDXL
/// configs: the files hold only the tensors recognition reads (zeros, the full-size shapes).
@Suite struct StandardModelSDXLTests {
    static func checkpoint(in tmp: SingleFileTempDirectory, refiner: Bool = false, context: Int? = nil) throws -> String {
        let (channels, width) = refiner ? (384, 1280) : (320, 2048)
        var shapes: [String: [Int]] = [
            "model.diffusion_model.input_blocks.0.0.weight": [channels, 4, 3, 3],
            "model.diffusion_model.input_blocks.4.1.transformer_blocks.0.attn2.to_k.weight": [2 * channels, context ?? width],
            "first_stage_model.decoder.conv_in.weight": [1],
        ]
        if refiner {
            shapes["conditioner.embedders.0.model.ln_final.weight"] = [1280]
        } else {
            shapes["conditioner.embedders.0.transformer.text_model.final_layer_norm.weight"] = [768]
            shapes["conditioner.embedders.1.model.ln_final.weight"] = [1280]
        }
        return try tmp.file("sdxl-\(refiner)-\(context ?? width).safetensors", shapes: shapes)
    }

    /// The decoded config file `relative` of `folder` equals Fixtures/configs/`fixture` (source file aside).
    static func expectSameConfig<C: ConfigFile & Equatable>(_ type: C.Type, _ folder: String, _ relative: String, _ fixture: String) throws {
        var written = try C(contentsOfFile: folder + "/" + relative)
        let expected = try C(contentsOfFile: FixturePaths.path("configs/" + fixture))
        written.sourceFile = expected.sourceFile
        #expect(written == expected, "\(relative)")
    }

    @Test func sdxlBaseLoadsWithoutConfig() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try Self.checkpoint(in: tmp)
        let folder = try SingleFileCheckpoint.open(path: path, options: SingleFileOptions(configRoot: tmp.path))
        #expect(folder.checkpoint?.family == .sdxl)
        #expect(folder.path == tmp.path + "/standard-configs/sdxl")
        #expect(folder.modelIndex.className == "StableDiffusionXLPipeline")
        #expect(folder.modelIndex["text_encoder_2"]?.className == "CLIPTextModelWithProjection")
        #expect(folder.unet.crossAttentionDim == .uniform(2048) && folder.unet.sampleSize == SampleSize(128))
        #expect(folder.textEncoder?.numHiddenLayers == 12 && folder.textEncoder?.hiddenAct == "quick_gelu")
        let text2 = try #require(folder.textEncoder2)
        #expect(text2.hiddenSize == 1280 && text2.numHiddenLayers == 32 && text2.numAttentionHeads == 20)
        #expect(text2.intermediateSize == 5120 && text2.hiddenAct == "gelu" && text2.projectionDim == 1280)
        #expect(folder.textEncoder2Weights == WeightFiles(files: []) && folder.tokenizer2Files?.hasVocabAndMerges == true)
        #expect(folder.scheduler.className == "EulerDiscreteScheduler" && folder.scheduler.predictionType == "epsilon")
        #expect(try CLIPTokenizer(folder: folder.componentPath("tokenizer")).padTokenID == 49407)
        #expect(try CLIPTokenizer(folder: folder.componentPath("tokenizer_2")).padTokenID == 0, "tokenizer_2 pads with \"!\"")
        try Self.expectSameConfig(UNet2DConditionConfig.self, folder.path, "unet/config.json", "sdxl/unet.json")
        try Self.expectSameConfig(AutoencoderKLConfig.self, folder.path, "vae/config.json", "sdxl/vae.json")
        try Self.expectSameConfig(CLIPTextConfig.self, folder.path, "text_encoder/config.json", "sdxl/text_encoder.json")
        try Self.expectSameConfig(CLIPTextConfig.self, folder.path, "text_encoder_2/config.json", "sdxl/text_encoder_2.json")
        try Self.expectSameConfig(ModelIndex.self, folder.path, "model_index.json", "sdxl/model_index.json")

        // --config still overrides recognition.
        let configured = try SingleFileCheckpoint.open(path: path, config: FixturePaths.path("tiny-sdxl"))
        #expect(configured.path == FixturePaths.path("tiny-sdxl") && configured.textEncoder2?.hiddenSize == 48)
    }

    /// The refiner is recognised, its configs written, and it opens with them: no `text_encoder`.
    @Test func sdxlRefinerOpensWithItsStandardConfigs() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try Self.checkpoint(in: tmp, refiner: true)
        let checkpoint = try SingleFileCheckpoint(path: path)
        #expect(try StandardModel.recognise(checkpoint, predictionType: nil) == .sdxlRefiner)
        let opened = try SingleFileCheckpoint.open(path: path, options: SingleFileOptions(configRoot: tmp.path))
        #expect(opened.textEncoder == nil && opened.tokenizer == nil && opened.textEncoder2?.hiddenSize == 1280)
        #expect(try ModelFamily(folder: opened) == .stableDiffusionXL(SDXLTimeIds(requiresAestheticsScore: true)))

        let configs = try StandardModel.sdxlRefiner.configFolder(SingleFileOptions(configRoot: tmp.path))
        try Self.expectSameConfig(UNet2DConditionConfig.self, configs, "unet/config.json", "sdxl-refiner/unet.json")
        try Self.expectSameConfig(ModelIndex.self, configs, "model_index.json", "sdxl-refiner/model_index.json")
        try Self.expectSameConfig(CLIPTextConfig.self, configs, "text_encoder_2/config.json", "sdxl/text_encoder_2.json")
        let index = try ModelIndex(contentsOfFile: configs + "/model_index.json")
        #expect(index.absentComponents.contains("text_encoder") && index.absentComponents.contains("tokenizer"))
        #expect(try CLIPTokenizer(folder: configs + "/tokenizer_2").padTokenID == 0)
    }

    @Test func nonStandardSDXLIsRefused() throws {
        let tmp = try SingleFileTempDirectory()
        let narrow = try Self.checkpoint(in: tmp, context: 1024)
        let error = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: narrow, options: SingleFileOptions(configRoot: tmp.path))
        }
        #expect(error.kind == .unrecognised && error.description.contains("SDXL base") && error.description.contains("--config"), "\(error)")

        let tiny = try #require(throws: SingleFileError.self) { try SingleFileCheckpoint.open(path: SingleFileFixture.path("tiny-sdxl"), config: nil) }
        #expect(tiny.kind == .unrecognised, "the tiny fixture is no standard model: \(tiny)")

        let badType = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: try Self.checkpoint(in: tmp),
                                          options: SingleFileOptions(predictionType: "v_prediction", configRoot: tmp.path))
        }
        #expect(badType.kind == .invalidOption && badType.description.contains("SDXL base"), "\(badType)")
    }
}

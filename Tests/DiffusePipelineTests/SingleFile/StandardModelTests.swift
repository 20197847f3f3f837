import DiffuseSources
import Testing
import DiffuseCore
import DiffuseModels
import DiffusePipeline
import DiffuseTestSupport

/// Recognising SD 1.5 / 2.x from tensor shapes and writing the standard configs. The files hold only
/// the tensors recognition reads (zeros), which is enough: the configs are checked, not run.
@Suite struct StandardModelTests {
    static func checkpoint(in tmp: SingleFileTempDirectory, context: Int, text: String, inChannels: Int = 4) throws -> String {
        try tmp.file("model-\(context)-\(inChannels).safetensors", shapes: [
            "model.diffusion_model.input_blocks.0.0.weight": [320, inChannels, 3, 3],
            "model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight": [320, context],
            "first_stage_model.decoder.conv_in.weight": [1],
            text: [1],
        ])
    }

    @Test func sd15() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try Self.checkpoint(in: tmp, context: 768, text: "cond_stage_model.transformer.text_model.final_layer_norm.weight")
        let folder = try SingleFileCheckpoint.open(path: path, options: SingleFileOptions(configRoot: tmp.path))
        #expect(folder.path == tmp.path + "/standard-configs/sd15")
        #expect(folder.unet.crossAttentionDim == .uniform(768) && folder.unet.sampleSize == SampleSize(64))
        #expect(folder.textEncoder?.hiddenAct == "quick_gelu" && folder.textEncoder?.numHiddenLayers == 12)
        #expect(folder.scheduler.className == "PNDMScheduler" && folder.scheduler.predictionType == "epsilon")
        let tokenizer = try CLIPTokenizer(folder: folder.componentPath("tokenizer"))
        #expect(tokenizer.padTokenID == 49407)
        #expect(tokenizer("a photo of a cat").ids.prefix(7) == [49406, 320, 1125, 539, 320, 2368, 49407])
    }

    @Test func sd21DefaultsToVPrediction768() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try Self.checkpoint(in: tmp, context: 1024, text: "cond_stage_model.model.ln_final.weight")
        let folder = try SingleFileCheckpoint.open(path: path, options: SingleFileOptions(configRoot: tmp.path))
        #expect(folder.checkpoint?.textEncoderLayout == .openCLIP)
        #expect(folder.unet.sampleSize == SampleSize(96) && folder.unet.upcastAttention)
        #expect(folder.scheduler.predictionType == "v_prediction")
        #expect(folder.textEncoder?.numHiddenLayers == 23 && folder.textEncoder?.hiddenAct == "gelu")
        #expect(try CLIPTokenizer(folder: folder.componentPath("tokenizer")).padTokenID == 0, "SD 2 pads with \"!\"")

        let base = try SingleFileCheckpoint.open(path: path, options: SingleFileOptions(predictionType: "epsilon", configRoot: tmp.path))
        #expect(base.unet.sampleSize == SampleSize(64) && base.scheduler.predictionType == "epsilon")
    }

    @Test func nonStandardShapesAreRefused() throws {
        let tmp = try SingleFileTempDirectory()
        let mismatch = try Self.checkpoint(in: tmp, context: 1024, text: "cond_stage_model.transformer.text_model.final_layer_norm.weight")
        let error = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: mismatch, options: SingleFileOptions(configRoot: tmp.path))
        }
        #expect(error.kind == .unrecognised && error.description.contains("--config"), "\(error)")

        let inpainting = try Self.checkpoint(in: tmp, context: 768, text: "cond_stage_model.transformer.x", inChannels: 9)
        let refused = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: inpainting, options: SingleFileOptions(configRoot: tmp.path))
        }
        #expect(refused.kind == .unsupported && refused.description.contains("inpainting"))

        let sd1 = try Self.checkpoint(in: tmp, context: 768, text: "cond_stage_model.transformer.x")
        let badType = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: sd1, options: SingleFileOptions(predictionType: "v_prediction", configRoot: tmp.path))
        }
        #expect(badType.kind == .invalidOption && badType.description.contains("SD 2.x"))
    }
}

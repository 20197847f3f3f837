import DiffuseSources
import Testing
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import DiffuseTestSupport

/// Bad single files give one error that says what is wrong and what to do.
@Suite struct SingleFileBadInputTests {
    /// A truncated copy: the missing tensors are named by their original key and the diffusers key
    /// they load into; nothing crashes.
    @Test func missingTensorsAreNamedInBothLayouts() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.copy(of: SingleFileFixture.path("tiny-sd1"), as: "truncated.safetensors") { tensors in
            tensors["model.diffusion_model.input_blocks.1.0.in_layers.2.weight"] = nil
            tensors["model.diffusion_model.output_blocks.2.1.conv.bias"] = nil
        }
        let folder = try SingleFileCheckpoint.open(path: path, config: FixturePaths.path("tiny-sd1"))
        let error = try #require(throws: WeightLoadError.self) { try StableDiffusionPipeline(folder: folder) }
        let text = error.description
        #expect(error.missing.count == 2 && error.unused.isEmpty && error.mismatched.isEmpty, "\(text)")
        #expect(text.contains("model.diffusion_model.input_blocks.1.0.in_layers.2.weight (→ down_blocks.0.resnets.0.conv1.weight)"), "\(text)")
        #expect(text.contains("model.diffusion_model.output_blocks.2.1.conv.bias (→ up_blocks.0.upsamplers.0.conv.bias)"), "\(text)")
        #expect(text.contains("original-layout key"), "\(text)")
    }

    @Test func missingTextEncoderLayerInOpenCLIP() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.copy(of: SingleFileFixture.path("tiny-sd2"), as: "truncated.safetensors") { tensors in
            tensors["cond_stage_model.model.transformer.resblocks.1.attn.in_proj_weight"] = nil
        }
        let folder = try SingleFileCheckpoint.open(path: path, config: FixturePaths.path("tiny-sd2"))
        let error = try #require(throws: WeightLoadError.self) { try StableDiffusionPipeline(folder: folder) }
        #expect(error.missing.count == 3, "q, k and v all come from in_proj_weight: \(error)")
        #expect(error.description.contains("cond_stage_model.model.transformer.resblocks.1.attn.in_proj_weight (→ text_model.encoder.layers.1.self_attn.q_proj.weight)"))
    }

    @Test func wrongShapeIsReported() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.copy(of: SingleFileFixture.path("tiny-sd1"), as: "reshaped.safetensors") { tensors in
            tensors["first_stage_model.decoder.mid.attn_1.q.weight"] = Tensor(zeros: [64, 32, 1, 1], dtype: .f32)
        }
        let folder = try SingleFileCheckpoint.open(path: path, config: FixturePaths.path("tiny-sd1"))
        let error = try #require(throws: WeightLoadError.self) { try StableDiffusionPipeline(folder: folder) }
        #expect(error.mismatched.count == 1 && error.missing.isEmpty, "\(error)")
        #expect(error.mismatched.first?.contains("decoder.mid_block.attentions.0.to_q.weight ← first_stage_model.decoder.mid.attn_1.q.weight") == true, "\(error)")
    }

    /// The tiny fixtures (context width 32) are no standard model: without a config folder, say so.
    @Test func unrecognisedWithoutConfig() throws {
        let error = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: SingleFileFixture.path("tiny-sd1"), config: nil)
        }
        #expect(error.kind == .unrecognised)
        #expect(error.description.contains("--config"), "\(error)")
    }

    @Test(arguments: ["model.ckpt", "model.pt", "model.pth", "pytorch_model.bin", "MODEL.CKPT"])
    func pickleFilesAreRefusedBeforeReading(_ name: String) throws {
        // The file does not even exist: nothing is opened.
        let error = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: "/nonexistent/" + name, config: nil)
        }
        #expect(error.kind == .pickle)
        #expect(error.description.contains("arbitrary code") && error.description.contains("from_single_file"), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    @Test func diffusersComponentFileIsNotASingleFile() throws {
        let error = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: FixturePaths.path("tiny-sd1/unet/diffusion_pytorch_model.safetensors"), config: nil)
        }
        #expect(error.kind == .unsupported && error.description.contains("model.diffusion_model"), "\(error)")
    }

    @Test func missingFile() throws {
        let error = try #require(throws: SingleFileError.self) {
            try SingleFileCheckpoint.open(path: "/nonexistent/model.safetensors", config: nil)
        }
        #expect(error.kind == .unreadable)
    }
}

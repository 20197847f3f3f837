@testable import DiffuseSources
import Testing
import Foundation
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import DiffuseTestSupport

/// SDXL single files at the `WeightStore` level (the SDXL pipeline and UNet land separately):
/// `text_encoder_2` through `ModelFolder.weightStore` for folders and single files, the transposed
/// OpenCLIP projection, the refiner layout, and damaged files.
@Suite struct SingleFileSDXLTests {
    static let textEncoder2Keys = ["text_projection.weight", "text_model.encoder.layers.1.self_attn.k_proj.weight",
                                   "text_model.embeddings.position_embedding.weight", "text_model.final_layer_norm.bias"]

    /// `folder.weightStore(.textEncoder2, …)` serves the same tensors for the folder and its single file;
    /// a model without `text_encoder_2` says so.
    @Test func textEncoder2FromFolderAndSingleFile() throws {
        let folder = try ModelFolder(path: FixturePaths.path("tiny-sdxl"))
        let single = try SingleFileFixture.open("tiny-sdxl")
        #expect(folder.textEncoder2?.projectionDim == 40 && single.textEncoder2?.hiddenSize == 48)
        let a = try folder.weightStore(.textEncoder2, dtype: .f32), b = try single.weightStore(.textEncoder2, dtype: .f32)
        for key in Self.textEncoder2Keys {
            let shape = try SafeTensorsFile(path: folder.textEncoder2Weights!.files[0]).tensor(key).shape
            #expect(a.tensor(key, shape: shape).floats() == b.tensor(key, shape: shape).floats(), "\(key)")
        }
        for sd1 in [try ModelFolder(path: FixturePaths.path("tiny-sd1")), try SingleFileFixture.open("tiny-sd1")] {
            let error = try #require(throws: ModelFolderError.self) { try sd1.weightStore(.textEncoder2, dtype: nil) }
            #expect(error.kind == .missingComponent && error.message.contains("text_encoder_2"), "\(error)")
        }
    }

    /// OpenCLIP stores the projection as [hidden, projection] (`x @ P`); the model gets the linear weight
    /// [projection, hidden], row-major.
    @Test func textProjectionIsTransposed() throws {
        let single = try SingleFileFixture.open("tiny-sdxl")
        let checkpoint = try #require(single.checkpoint)
        let stored = try checkpoint.file.tensor("conditioner.embedders.1.model.text_projection")
        let weight = checkpoint.weightStore(.textEncoder2, folder: single, dtype: nil).tensor("text_projection.weight", shape: [40, 48])
        #expect(stored.shape == [48, 40] && weight.isContiguous)
        let s = stored.floats(), w = weight.floats()
        var transposed = [Float](repeating: 0, count: s.count)
        for h in 0..<48 {
            for p in 0..<40 { transposed[p * 48 + h] = s[h * 40 + p] }
        }
        #expect(w == transposed)
    }

    /// The refiner layout (OpenCLIP as `conditioner.embedders.0.model.`, no CLIP): tiny-sdxl's file with its
    /// CLIP removed and `embedders.1` renamed. Its `text_encoder_2` maps bit-equal with tiny-sdxl's configs;
    /// it has no `text_encoder`; `open` refuses it with a base's configs (which have one).
    @Test func refinerLayoutIsRecognisedAndMapped() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.copy(of: SingleFileFixture.path("tiny-sdxl"), as: "refiner.safetensors") { tensors in
            for key in tensors.keys where key.hasPrefix("conditioner.") {
                let tensor = tensors.removeValue(forKey: key)
                if key.hasPrefix("conditioner.embedders.1.model.") {
                    tensors["conditioner.embedders.0.model." + key.dropFirst("conditioner.embedders.1.model.".count)] = tensor
                }
            }
        }
        let checkpoint = try SingleFileCheckpoint(path: path)
        #expect(checkpoint.family == .sdxlRefiner && checkpoint.family.components == [.unet, .vae, .textEncoder2])
        #expect(checkpoint.textEncoderLayout == .openCLIP)
        let configs = try ModelFolder(path: FixturePaths.path("tiny-sdxl"))
        _ = try SingleFileFixture.expectSameTensors(configs.textEncoder2Weights!.files,
                                                    checkpoint.weightStore(.textEncoder2, folder: configs, dtype: nil), "refiner text_encoder_2")
        let absent = checkpoint.weightStore(.textEncoder, folder: configs, dtype: nil)
        #expect(!absent.contains("text_model.final_layer_norm.weight") && absent.keys.isEmpty)
        _ = absent.tensor("text_model.final_layer_norm.weight", shape: [32])
        let missing = try #require(throws: WeightLoadError.self) { try absent.finish() }
        #expect(missing.description.contains("has no text_encoder"), "\(missing)")

        let refused = try #require(throws: SingleFileError.self) { try SingleFileCheckpoint.open(path: path, config: FixturePaths.path("tiny-sdxl")) }
        #expect(refused.kind == .unsupported && refused.description.contains("SDXL refiner"), "\(refused)")
    }

    /// A truncated SDXL file: the missing tensors are named by their original key and the diffusers key
    /// they load into (a fused q/k/v once per part), in `text_encoder_2` and in the UNet's added embedding.
    @Test func missingTensorsAreNamedInBothLayouts() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.copy(of: SingleFileFixture.path("tiny-sdxl"), as: "truncated.safetensors") { tensors in
            tensors["conditioner.embedders.1.model.transformer.resblocks.1.attn.in_proj_weight"] = nil
            tensors["model.diffusion_model.label_emb.0.2.bias"] = nil
        }
        let folder = try SingleFileCheckpoint.open(path: path, config: FixturePaths.path("tiny-sdxl"))
        let reference = try ModelFolder(path: FixturePaths.path("tiny-sdxl"))
        let cases: [(SingleFileCheckpoint.Component, Int, String)] = [
            (.textEncoder2, 3, "conditioner.embedders.1.model.transformer.resblocks.1.attn.in_proj_weight (→ text_model.encoder.layers.1.self_attn.q_proj.weight)"),
            (.unet, 1, "model.diffusion_model.label_emb.0.2.bias (→ add_embedding.linear_2.bias)"),
        ]
        for (component, count, named) in cases {
            let store = try folder.weightStore(component, dtype: nil)
            let file = try SafeTensorsFile(path: reference.weightFiles(component)!.files[0])
            for info in file.infos { _ = store.tensor(info.name, shape: info.shape) }
            let error = try #require(throws: WeightLoadError.self) { try store.finish() }
            #expect(error.missing.count == count && error.unused.isEmpty && error.mismatched.isEmpty, "\(error)")
            #expect(error.description.contains(named), "\(error)")
        }
    }

    /// A file cut short is refused when opened, naming the file.
    @Test func truncatedFileIsRefused() throws {
        let tmp = try SingleFileTempDirectory()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: SingleFileFixture.path("tiny-sdxl")))
        let path = tmp.path + "/cut.safetensors"
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: SafeTensorsError.self) { try SingleFileCheckpoint.open(path: path, config: FixturePaths.path("tiny-sdxl")) }
        #expect(error.path == path, "\(error)")
    }

    /// `conditioner.embedders.*` without an OpenCLIP embedder is no SDXL layout Diffuse knows.
    @Test func conditionerWithoutOpenCLIPIsRefused() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.file("clip-only.safetensors", shapes: [
            "model.diffusion_model.input_blocks.0.0.weight": [320, 4, 3, 3], "first_stage_model.decoder.conv_in.weight": [1],
            "conditioner.embedders.0.transformer.text_model.final_layer_norm.weight": [1],
        ])
        let error = try #require(throws: SingleFileError.self) { try SingleFileCheckpoint(path: path) }
        #expect(error.kind == .unsupported && error.description.contains("conditioner.embedders.1.model"), "\(error)")
    }
}

@testable import DiffuseSources
import Foundation
import Testing
import DiffuseCore
import DiffuseModels
import DiffuseNN
import DiffuseCPU
import DiffuseTestSupport

/// Single-file ControlNets (Fixtures/controlnet-single-file, Scripts/fixtures/controlnet_single_file.py, whose
/// files diffusers' `ControlNetModel.from_single_file` loads into exactly the Fixtures/controlnet folders'
/// tensors): the store of each gives, for every key of the diffusers folder, the folder's tensor bit for bit,
/// and uses every stored tensor.
@Suite struct ControlNetSourceSingleFileTests {
    static func file(_ name: String) -> String { FixturePaths.path("controlnet-single-file/\(name).safetensors") }
    static func folder(_ name: String) -> String { FixturePaths.path("controlnet/\(name)") }
    static func folderWeights(_ name: String) -> [String] { [folder(name) + "/diffusion_pytorch_model.safetensors"] }

    /// Opens `path` with the fixture folder's config and compares every tensor with the folder's.
    static func expectFolderTensors(_ path: String, _ name: String, config: String? = nil) throws -> ControlNetFiles {
        let given = config ?? folder(name)
        let (net, resolved) = try ModelSource.openControlNet(path, config: given)
        #expect(net.path == path)
        #expect(resolved.origin == .singleFile(configs: given.hasSuffix(".json") ? given : given + "/config.json", recognised: false))
        let compared = try SingleFileFixture.expectSameTensors(folderWeights(name), try net.weightStore(dtype: nil), path)
        #expect(compared == (try SafeTensorsFile(path: folderWeights(name)[0])).names.count)
        return net
    }

    @Test func sd1WithControlModelPrefix() throws {
        let path = Self.file("tiny-sd1-controlnet-a")
        let net = try Self.expectFolderTensors(path, "tiny-sd1-controlnet-a")
        guard case .singleFile(let file) = net.weights else { Issue.record("\(net.weights)"); return }
        #expect(file.layout == .original(prefix: "control_model."))
        #expect(net.config == (try ControlNetConfig(contentsOfFile: Self.folder("tiny-sd1-controlnet-a") + "/config.json")))
        // The config may also be named as the file itself.
        _ = try Self.expectFolderTensors(path, "tiny-sd1-controlnet-a", config: Self.folder("tiny-sd1-controlnet-a") + "/config.json")
    }

    /// SDXL, no prefix: `label_emb.0.*` is the added embedding (which diffusers' own converter leaves out).
    @Test func sdxlWithoutPrefix() throws {
        let net = try Self.expectFolderTensors(Self.file("tiny-sdxl-controlnet"), "tiny-sdxl-controlnet")
        guard case .singleFile(let file) = net.weights else { Issue.record("\(net.weights)"); return }
        #expect(file.layout == .original(prefix: ""))
        let mapping = try #require(file.mapping(config: net.config))
        #expect(mapping.storedTensor(for: "add_embedding.linear_1.weight") == StoredTensorRef("label_emb.0.0.weight"))
    }

    /// The SD 1 file without its prefix (thibaud/controlnet-sd21's way), and with the hint block's conv_out
    /// in the next slot of a plain two-width sequence (module 6) rather than cldm's 14.
    @Test(arguments: [("unprefixed", false), ("conv-out-at-6", true)])
    func sd1Variants(_ name: String, _ moveConvOut: Bool) throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.copy(of: Self.file("tiny-sd1-controlnet-a"), as: name + ".safetensors") { tensors in
            for (key, value) in tensors {
                tensors[key] = nil
                var stored = moveConvOut ? key : String(key.dropFirst("control_model.".count))
                if moveConvOut { stored = stored.replacingOccurrences(of: "input_hint_block.14.", with: "input_hint_block.6.") }
                tensors[stored] = value
            }
        }
        let net = try Self.expectFolderTensors(path, "tiny-sd1-controlnet-a")
        guard case .singleFile(let file) = net.weights else { Issue.record("\(net.weights)"); return }
        #expect(file.layout == .original(prefix: moveConvOut ? "control_model." : ""))
        #expect(file.mapping(config: net.config)?.storedTensor(for: "controlnet_cond_embedding.conv_out.bias")?.key
                == (moveConvOut ? "control_model.input_hint_block.6.bias" : "input_hint_block.14.bias"))
    }

    /// A single file already in diffusers' layout (the folder's own weights) loads as stored.
    @Test func diffusersLayoutFile() throws {
        let path = Self.folderWeights("tiny-sdxl-controlnet")[0]
        let net = try Self.expectFolderTensors(path, "tiny-sdxl-controlnet")
        guard case .singleFile(let file) = net.weights else { Issue.record("\(net.weights)"); return }
        #expect(file.layout == .diffusers)
    }

    /// `ControlNetModel` builds from each file's store: every key it asks for is there, every stored tensor is used.
    @Test(arguments: ["tiny-sd1-controlnet-a", "tiny-sdxl-controlnet"])
    func modelBuildsFromTheFile(_ name: String) throws {
        let (net, _) = try ModelSource.openControlNet(Self.file(name), config: Self.folder(name))
        let model = try ControlNetModel(config: net.config, weights: try net.weightStore(dtype: nil), backend: CPUBackend())
        #expect(model.requiresAddedConditions == name.contains("sdxl"))
    }

    /// The tiny fixtures are no standard architecture: without a config, the error says to pass one.
    @Test(arguments: ["tiny-sd1-controlnet-a", "tiny-sdxl-controlnet"])
    func tinyFilesNeedTheirConfig(_ name: String) throws {
        let error = try #require(throws: SingleFileError.self) { _ = try ModelSource.openControlNet(Self.file(name)) }
        #expect(error.kind == .unrecognised, "\(error)")
        #expect(error.description.contains("pass the ControlNet's config"), "\(error)")
        #expect(!error.description.contains("\n"))
    }

    /// The conditioning embedding's channels and widths are read from the hint block's shapes.
    @Test func conditioningEmbeddingFromShapes() throws {
        for (name, widths) in [("tiny-sd1-controlnet-a", [8, 16]), ("tiny-sdxl-controlnet", [8, 16])] {
            let file = try ControlNetSingleFile(path: Self.file(name))
            let shapes = ControlNetShapes(layout: file.layout, shapes: file.shapes, path: file.path)
            let embedding = try shapes.conditioningEmbedding()
            #expect(embedding.channels == 3 && embedding.widths == widths, "\(name): \(embedding)")
        }
    }

    /// A tensor missing from the file is named by its original key and the diffusers key it loads into.
    @Test func missingTensorIsNamedInBothLayouts() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.copy(of: Self.file("tiny-sd1-controlnet-a"), as: "truncated.safetensors") { tensors in
            tensors["control_model.zero_convs.2.0.weight"] = nil
            tensors["control_model.input_hint_block.2.bias"] = nil
        }
        let (net, _) = try ModelSource.openControlNet(path, config: Self.folder("tiny-sd1-controlnet-a"))
        let store = try net.weightStore(dtype: nil)
        let reference = try SafeTensorsFile(path: Self.folderWeights("tiny-sd1-controlnet-a")[0])
        for info in reference.infos { _ = store.tensor(info.name, shape: info.shape) }
        let error = try #require(throws: WeightLoadError.self) { try store.finish() }
        #expect(error.missing.count == 2 && error.unused.isEmpty, "\(error)")
        #expect(error.description.contains("control_model.zero_convs.2.0.weight (→ controlnet_down_blocks.2.weight)"), "\(error)")
        #expect(error.description.contains("control_model.input_hint_block.2.bias (→ controlnet_cond_embedding.blocks.0.bias)"), "\(error)")
        #expect(error.description.contains("original-layout key"), "\(error)")
    }

    /// A full `cldm` checkpoint (the ControlNet beside the SD model it was trained with): only `control_model.*`
    /// is the ControlNet's; the rest is not reported as unused.
    @Test func fullCLDMCheckpointKeepsOnlyTheControlModel() throws {
        let tmp = try SingleFileTempDirectory()
        let path = try tmp.copy(of: Self.file("tiny-sd1-controlnet-a"), as: "cldm.safetensors") { tensors in
            tensors["model.diffusion_model.input_blocks.0.0.weight"] = Tensor(zeros: [32, 4, 3, 3], dtype: .f32)
            tensors["first_stage_model.decoder.conv_in.weight"] = Tensor(zeros: [1], dtype: .f32)
        }
        _ = try Self.expectFolderTensors(path, "tiny-sd1-controlnet-a")
    }
}

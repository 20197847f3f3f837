@testable import DiffuseSources
import Testing
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import DiffuseTestSupport

/// Every tensor of the diffusers folder comes out of the single file (original layout) bit-equal, in
/// the stored dtype, and every tensor of the single file is used (tiny-sd1: CLIP text encoder, f32;
/// tiny-sd2: OpenCLIP with fused q/k/v, f16 UNet / text encoder and bf16 VAE; tiny-sdxl: CLIP
/// `text_encoder` and OpenCLIP `text_encoder_2` with its transposed `text_projection`, both f16, and the
/// UNet's `label_emb`). Tolerance: none — the fixture script wrote the same bits under other names, and
/// the q/k/v splits, 1×1-conv reshapes and the projection's transpose move no value. The SDXL UNet is
/// checked at the `WeightStore` level (every key requested, `finish()`), without building the model.
@Suite struct SingleFileMappingTests {
    static let families: [String: SingleFileCheckpoint.Family] = ["tiny-sd1": .sd1, "tiny-sd2": .sd2, "tiny-sdxl": .sdxl,
                                                                  "tiny-sdxl-refiner": .sdxlRefiner]

    @Test(arguments: ["tiny-sd1", "tiny-sd2", "tiny-sdxl", "tiny-sdxl-refiner"])
    func everyFolderTensorMapsToTheSingleFile(_ name: String) throws {
        let folder = try ModelFolder(path: FixturePaths.path(name))
        let single = try SingleFileFixture.open(name)
        let checkpoint = try #require(single.checkpoint)
        #expect(checkpoint.family == Self.families[name])
        #expect(checkpoint.textEncoderLayout == (name == "tiny-sd2" || name == "tiny-sdxl-refiner" ? .openCLIP : .clip))
        for component in checkpoint.family.components {
            let files = try #require(folder.weightFiles(component))
            let compared = try SingleFileFixture.expectSameTensors(files.files, checkpoint.weightStore(component, folder: single, dtype: nil),
                                                                   "\(name) \(component)")
            #expect(compared > 30)
        }
    }

    /// Every stored tensor belongs to exactly one component; only the DDPM buffers of SD 1 / 2 files
    /// (which no loader reads) belong to none.
    @Test(arguments: ["tiny-sd1", "tiny-sd2", "tiny-sdxl", "tiny-sdxl-refiner"])
    func everyStoredTensorHasOneComponent(_ name: String) throws {
        let single = try SingleFileFixture.open(name)
        let checkpoint = try #require(single.checkpoint)
        let mappings = SingleFileCheckpoint.Component.allCases.map { checkpoint.mapping($0, folder: single) }
        var unowned: [String] = []
        for key in checkpoint.file.names {
            let owners = mappings.filter { $0.owns(storedKey: key) }.count
            #expect(owners <= 1, "\(name): \(key) belongs to \(owners) components")
            if owners == 0 { unowned.append(key) }
        }
        #expect(unowned.sorted() == (name.hasPrefix("tiny-sdxl") ? [] : ["alphas_cumprod", "alphas_cumprod_prev", "betas"]))
    }

    /// The fused OpenCLIP q/k/v and the VAE's 1×1 convs come out as views of the mapped file, not copies.
    @Test func splitsAndReshapesAreViews() throws {
        let single = try SingleFileFixture.open("tiny-sd2")
        let checkpoint = try #require(single.checkpoint)
        let text = checkpoint.weightStore(.textEncoder, folder: single, dtype: nil)
        let fused = try checkpoint.file.tensor("cond_stage_model.model.transformer.resblocks.0.attn.in_proj_weight")
        let k = text.tensor("text_model.encoder.layers.0.self_attn.k_proj.weight", shape: [32, 32])
        #expect(k.rawPointer == fused.rawPointer + 32 * 32 * fused.dtype.byteSize, "k_proj is the second third of in_proj_weight, in place")
        #expect(k.floats() == Array(fused.floats()[1024..<2048]))
        let vae = checkpoint.weightStore(.vae, folder: single, dtype: nil)
        let conv = try checkpoint.file.tensor("first_stage_model.decoder.mid.attn_1.v.weight")
        let v = vae.tensor(anyOf: ["decoder.mid_block.attentions.0.to_v.weight", "decoder.mid_block.attentions.0.value.weight"],
                           shape: [64, 64])
        #expect(conv.shape == [64, 64, 1, 1] && v.rawPointer == conv.rawPointer, "to_v is the 1×1 conv weight, in place")
    }
}

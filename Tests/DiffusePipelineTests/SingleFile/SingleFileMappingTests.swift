import DiffuseSources
import Testing
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import DiffuseTestSupport

/// Every tensor of the diffusers folder comes out of the single file (original layout) bit-equal, in
/// the stored dtype, and every tensor of the single file is used (tiny-sd1: CLIP text encoder, f32;
/// tiny-sd2: OpenCLIP with fused q/k/v, f16 UNet / text encoder and bf16 VAE). Tolerance: none — the
/// fixture script wrote the same bits under other names, and the q/k/v splits and 1×1-conv reshapes
/// are views.
@Suite struct SingleFileMappingTests {
    @Test(arguments: ["tiny-sd1", "tiny-sd2"])
    func everyFolderTensorMapsToTheSingleFile(_ name: String) throws {
        let folder = try ModelFolder(path: FixturePaths.path(name))
        let single = try SingleFileFixture.open(name)
        let checkpoint = try #require(single.checkpoint)
        #expect(checkpoint.textEncoderLayout == (name == "tiny-sd1" ? .clip : .openCLIP))
        let components: [(SingleFileCheckpoint.Component, WeightFiles)] =
            [(.unet, folder.unetWeights), (.vae, folder.vaeWeights), (.textEncoder, folder.textEncoderWeights)]
        for (component, files) in components {
            let reference = try WeightStore(files: files.files, dtype: nil)
            let mapped = checkpoint.weightStore(component, folder: single, dtype: nil)
            var compared = 0
            for key in reference.keys where !key.hasSuffix("position_ids") {
                let expected = try SafeTensorsFile(path: files.files[0]).tensor(key)
                #expect(mapped.contains(key), "\(name) \(component): \(key) has no counterpart")
                let actual = mapped.tensor(key, shape: expected.shape)
                #expect(actual.dtype == expected.dtype, "\(name) \(component): \(key)")
                #expect(actual.floats() == expected.floats(), "\(name) \(component): \(key) differs")
                compared += 1
            }
            #expect(compared > 30)
            // Every stored tensor of the component was used (or is one loaders ignore).
            #expect(throws: Never.self, "\(name) \(component)") { try mapped.finish() }
        }
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

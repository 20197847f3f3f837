import Testing
import Foundation
import DiffuseCore
import DiffuseModels
import DiffuseSources
import DiffuseTestSupport

/// Which module each layer of a LoRA file updates, and by how much, against what diffusers made of the same
/// files (Fixtures/lora/mapping.json: the module it put each adapter layer on and the layer's PEFT `scaling`,
/// alpha / rank, read back from the loaded pipeline). Exact: names are strings, scalings f32 quotients of
/// small integers (kohya alpha 2 / rank 4, 2 / 2, 8 / 4, 3 / 4; PEFT lora_alpha 8 / 4 and the
/// alpha_pattern's 1 / 2; 1 for the older format).
@Suite struct LoRAMappingTests {
    struct Expected: Decodable {
        let target: String
        let rank: Int
        let scaling: Double
    }

    static let models = ["sd1-kohya": "tiny-sd1", "sd1-peft": "tiny-sd1", "sd1-old": "tiny-sd1",
                         "sd2-kohya": "tiny-sd2", "sdxl-kohya": "tiny-sdxl"]

    @Test(arguments: models.keys.sorted())
    func layersMatchDiffusers(_ file: String) throws {
        let expected = try LoRAFixture.json("mapping.json", as: [String: [String: Expected]].self)[file]!
        let lora = try LoRAFile(path: LoRAFixture.path(file))
        let unet = try UNet2DConditionConfig(contentsOfFile: FixturePaths.path(Self.models[file]! + "/unet/config.json"))
        let (layers, unmapped) = lora.layers(unetLayersPerBlock: unet.layersPerBlockList.first)
        #expect(unmapped.isEmpty && lora.strayKeys.isEmpty, "\(file): unmapped \(unmapped), stray \(lora.strayKeys)")
        #expect(layers.count == expected.count, "\(file): \(layers.count) layers, diffusers made \(expected.count)")
        for layer in layers {
            guard let want = expected[layer.sourceKey] else {
                Issue.record("\(file): \(layer.sourceKey) is not in diffusers' mapping")
                continue
            }
            // Diffuse names text-encoder modules without `text_model.` (CLIPTextModelWithProjection keeps it in transformers 5).
            let target = want.target.replacingOccurrences(of: ":text_model.", with: ":")
            #expect("\(layer.component.rawValue):\(layer.module)" == target, "\(layer.sourceKey)")
            #expect(layer.rank == want.rank, "\(layer.sourceKey) rank")
            #expect(layer.scaling == Float(want.scaling), "\(layer.sourceKey) scaling \(layer.scaling) vs \(want.scaling)")
        }
    }

    @Test func formatsAreDetected() throws {
        let formats = try Self.models.keys.sorted().map { try LoRAFile(path: LoRAFixture.path($0)).format }
        #expect(formats == [.kohya, .diffusersLegacy, .peft, .kohya, .kohya])   // sd1-kohya, sd1-old, sd1-peft, sd2-kohya, sdxl-kohya
    }

    /// diffusers' SGM block renames (`_maybe_map_sgm_blocks_to_diffusers`) on SDXL's layout (layers_per_block 2),
    /// including the resnet, downsampler and upsampler cases the fixture file has none of.
    @Test func sgmBlockNames() {
        let cases: [(String, String)] = [
            ("lora_unet_input_blocks_4_1_transformer_blocks_0_attn1_to_q", "down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q"),
            ("lora_unet_input_blocks_8_1_proj_in", "down_blocks.2.attentions.1.proj_in"),
            ("lora_unet_input_blocks_1_0_in_layers_2", "down_blocks.0.resnets.0.conv1"),
            ("lora_unet_input_blocks_3_0_op", "down_blocks.0.downsamplers.0.conv"),
            ("lora_unet_middle_block_0_out_layers_3", "mid_block.resnets.0.conv2"),
            ("lora_unet_middle_block_1_transformer_blocks_9_ff_net_2", "mid_block.attentions.0.transformer_blocks.9.ff.net.2"),
            ("lora_unet_output_blocks_2_2_conv", "up_blocks.0.upsamplers.0.conv"),
            ("lora_unet_output_blocks_5_1_transformer_blocks_1_attn2_to_out_0", "up_blocks.1.attentions.2.transformer_blocks.1.attn2.to_out.0"),
            ("lora_unet_output_blocks_3_0_skip_connection", "up_blocks.1.resnets.0.conv_shortcut"),
            ("lora_unet_input_blocks_0_0", "conv_in"),
        ]
        for (stem, module) in cases {
            let renamed = SGMBlockMapping.rename([stem], layersPerBlock: 2)?[stem] ?? stem
            #expect(renamed.flatMap(KohyaLoRAKeys.unetModule) == module, "\(stem)")
        }
    }

    /// kohya names diffusers renames specially (SD 1.x, diffusers layout).
    @Test func kohyaNames() {
        let unet: [(String, String)] = [
            ("lora_unet_down_blocks_0_resnets_1_time_emb_proj", "down_blocks.0.resnets.1.time_emb_proj"),
            ("lora_unet_time_embedding_linear_1", "time_embedding.linear_1"),
            ("lora_unet_up_blocks_3_attentions_2_transformer_blocks_0_attn2_to_out_0", "up_blocks.3.attentions.2.transformer_blocks.0.attn2.to_out.0"),
            ("lora_unet_mid_block_attentions_0_proj_out", "mid_block.attentions.0.proj_out"),
            ("lora_unet_down_blocks_1_resnets_0_conv_shortcut", "down_blocks.1.resnets.0.conv_shortcut"),
            ("lora_unet_conv_in", "conv_in"),
        ]
        for (stem, module) in unet { #expect(KohyaLoRAKeys.unetModule(stem) == module, "\(stem)") }
        let text: [(String, SingleFileCheckpoint.Component, String)] = [
            ("lora_te_text_model_encoder_layers_11_self_attn_out_proj", .textEncoder, "encoder.layers.11.self_attn.out_proj"),
            ("lora_te1_text_model_encoder_layers_0_mlp_fc2", .textEncoder, "encoder.layers.0.mlp.fc2"),
            ("lora_te2_text_model_encoder_layers_31_self_attn_k_proj", .textEncoder2, "encoder.layers.31.self_attn.k_proj"),
            ("lora_te2_text_projection", .textEncoder2, "text_projection"),
        ]
        for (stem, component, module) in text {
            let got = KohyaLoRAKeys.textEncoderModule(stem)
            #expect(got?.0 == component && got?.1 == module, "\(stem): \(String(describing: got))")
        }
    }
}

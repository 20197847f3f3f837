#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseModels
import DiffuseTestSupport

@Suite("UNet / VAE / CLIP configs")
struct ConfigTests {
    // MARK: Real SD configs

    @Test func sd15UNet() throws {
        let unet = try fixture(UNet2DConditionConfig.self, "sd15/unet.json")
        #expect(unet.className == "UNet2DConditionModel")
        #expect(unet.diffusersVersion == "0.6.0")
        #expect(unet.sampleSize == SampleSize(64))
        #expect(unet.blockOutChannels == [320, 640, 1280, 1280])
        #expect(unet.crossAttentionDims == [768, 768, 768, 768])
        #expect(unet.attentionHeadDim == .uniform(8))
        #expect(unet.numAttentionHeads == nil)
        #expect(unet.layersPerBlockList == [2, 2, 2, 2])
        #expect((0..<4).map { unet.downBlockAttention($0).transformerLayers } == Array(repeating: [1, 1], count: 4))
        #expect((0..<4).map { unet.upBlockAttention($0).transformerLayers } == Array(repeating: [1, 1, 1], count: 4))
        // Keys absent from the 0.6.0 file take diffusers' defaults.
        #expect(unet.midBlockType == "UNetMidBlock2DCrossAttn")
        #expect(unet.useLinearProjection == false)
        #expect(unet.upcastAttention == false)
        #expect(unet.timeEmbeddingType == "positional")
        #expect(unet.additionEmbedType == nil)
        #expect(unet.timeEmbedDim == 1280)
        // diffusers' naming quirk: attention_head_dim 8 = 8 heads; head dims 40/80/160 (checked against
        // diffusers 0.42 on the meta device).
        #expect(unet.attentionHeads == [8, 8, 8, 8])
        #expect((0..<4).map { unet.downBlockAttention($0).headDim } == [40, 80, 160, 160])
        #expect(unet.midBlockAttention == UNetBlockAttention(channels: 1280, heads: 8, headDim: 160,
                                                             transformerLayers: [1], crossAttentionDim: 768, onlyCrossAttention: false))
        #expect((0..<4).map { unet.upBlockAttention($0).headDim } == [160, 160, 80, 40])
        #expect(unet.sourceFile.hasSuffix("configs/sd15/unet.json"))
        try unet.validateSupported()
    }

    @Test func sd21UNet() throws {
        let unet = try fixture(UNet2DConditionConfig.self, "sd21/unet.json")
        #expect(unet.sampleSize == SampleSize(96))
        #expect(unet.attentionHeadDim == .list([5, 10, 20, 20]))
        #expect(unet.attentionHeads == [5, 10, 20, 20])
        #expect((0..<4).map { unet.downBlockAttention($0).headDim } == [64, 64, 64, 64])
        #expect((0..<4).map { unet.upBlockAttention($0).heads } == [20, 20, 10, 5])
        #expect(unet.midBlockAttention.heads == 20 && unet.midBlockAttention.headDim == 64)
        #expect(unet.crossAttentionDims == [1024, 1024, 1024, 1024])
        #expect(unet.useLinearProjection)
        #expect(unet.upcastAttention)
        #expect(unet.onlyCrossAttention == .uniform(false))
        #expect(unet.numClassEmbeds == nil)
        try unet.validateSupported()
    }

    @Test func sdVAEs() throws {
        let vae15 = try fixture(AutoencoderKLConfig.self, "sd15/vae.json")
        #expect(vae15.blockOutChannels == [128, 256, 512, 512])
        #expect(vae15.layersPerBlock == 2)
        #expect(vae15.latentChannels == 4)
        #expect(vae15.sampleSize == SampleSize(512))
        #expect(vae15.scalingFactor == 0.18215)       // not in the file: diffusers' default
        #expect(vae15.shiftFactor == nil)
        #expect(vae15.useQuantConv && vae15.usePostQuantConv && vae15.midBlockAddAttention)
        #expect(vae15.scaleFactor == 8)
        try vae15.validateSupported()
        let vae21 = try fixture(AutoencoderKLConfig.self, "sd21/vae.json")
        #expect(vae21.sampleSize == SampleSize(768))
        try vae21.validateSupported()
    }

    @Test func sdTextEncoders() throws {
        let clip15 = try fixture(CLIPTextConfig.self, "sd15/text_encoder.json")
        #expect(clip15.hiddenSize == 768)
        #expect(clip15.intermediateSize == 3072)
        #expect(clip15.numHiddenLayers == 12)
        #expect(clip15.numAttentionHeads == 12)
        #expect(clip15.headDim == 64)
        #expect(clip15.hiddenAct == "quick_gelu")
        #expect(clip15.maxPositionEmbeddings == 77)
        #expect(clip15.vocabSize == 49408)
        #expect(clip15.eosTokenIds == [2])
        #expect(clip15.poolsAtArgmaxTokenId)
        #expect(clip15.torchDtype == "float32")
        #expect(clip15.architectures == ["CLIPTextModel"])
        try clip15.validateSupported()

        let clip21 = try fixture(CLIPTextConfig.self, "sd21/text_encoder.json")
        #expect(clip21.hiddenSize == 1024)
        #expect(clip21.numHiddenLayers == 23)
        #expect(clip21.numAttentionHeads == 16)
        #expect(clip21.hiddenAct == "gelu")
        #expect(clip21.projectionDim == 512)
        try clip21.validateSupported()
    }

    @Test func sdTokenizerConfigs() throws {
        let tok15 = try fixture(CLIPTokenizerConfig.self, "sd15/tokenizer_config.json")
        #expect(tok15.bosToken.content == "<|startoftext|>")
        #expect(tok15.eosToken.content == "<|endoftext|>")
        #expect(tok15.unkToken.content == "<|endoftext|>")
        #expect(tok15.padToken.content == "<|endoftext|>")
        #expect(tok15.bosToken.normalized)
        #expect(tok15.modelMaxLength == 77)
        #expect(tok15.doLowerCase)
        #expect(tok15.tokenizerClass == "CLIPTokenizer")
        let tok21 = try fixture(CLIPTokenizerConfig.self, "sd21/tokenizer_config.json")
        #expect(tok21.padToken == "!")
        #expect(tok21.maxLength(textEncoder: nil) == 77)
        try tok15.validateSupported()
        try tok21.validateSupported()
        let other = try decode(CLIPTokenizerConfig.self, #"{"tokenizer_class": "T5Tokenizer"}"#)
        #expect(configError { try other.validateSupported() }?.key == "tokenizer_class")
    }

    // MARK: Tokenizer config forms

    @Test func tokenizerConfigTransformers5AndDefaults() throws {
        // What transformers 5 `CLIPTokenizer.save_pretrained` writes (measured with transformers 5.x).
        let t5 = try decode(CLIPTokenizerConfig.self, """
            {"backend": "tokenizers", "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
             "model_max_length": 77, "pad_token": "!", "tokenizer_class": "CLIPTokenizer", "unk_token": "<|endoftext|>"}
            """)
        #expect(t5.padToken == "!")
        #expect(t5.doLowerCase)
        #expect(t5.modelMaxLength == 77)

        let empty = try decode(CLIPTokenizerConfig.self, "{}")
        #expect(empty.bosToken == "<|startoftext|>")
        #expect(empty.padToken == "<|endoftext|>")
        #expect(empty.modelMaxLength == nil)
        #expect(empty.errors == "replace")
        #expect(empty == CLIPTokenizerConfig().with(sourceFile: "test.json"))

        let huge = try decode(CLIPTokenizerConfig.self, """
            {"model_max_length": 1000000000000000019884624838656,
             "added_tokens_decoder": {"49406": {"content": "<|startoftext|>", "lstrip": false, "normalized": true,
                                                 "rstrip": false, "single_word": false, "special": true}}}
            """)
        #expect(huge.modelMaxLength == nil)
        #expect(huge.maxLength(textEncoder: CLIPTextConfig()) == 77)
        #expect(huge.addedTokensDecoder?["49406"]?.special == true)
    }

    // MARK: Legacy and alternative forms

    @Test func unetLegacyForms() throws {
        let unet = try decode(UNet2DConditionConfig.self, """
            {"attention_head_dim": [5, 10, 20, 20], "num_attention_heads": 4, "sample_size": [96, 64],
             "cross_attention_dim": [768, 768, 1024, 1024], "only_cross_attention": [false, false, false, true],
             "transformer_layers_per_block": [1, 1, 2, 2], "layers_per_block": [1, 2, 2, 3],
             "mid_block_only_cross_attention": null}
            """)
        #expect(unet.sampleSize == SampleSize(height: 96, width: 64))
        #expect(unet.numAttentionHeads == .uniform(4))
        #expect(unet.attentionHeads == [4, 4, 4, 4])       // num_attention_heads wins when given
        #expect(unet.crossAttentionDims == [768, 768, 1024, 1024])
        #expect(unet.onlyCrossAttentionList == [false, false, false, true])
        #expect(unet.resolvedMidBlockOnlyCrossAttention == false) // list form: mid defaults to false
        #expect((0..<4).map { unet.downBlockAttention($0).transformerLayers } == [[1], [1, 1], [2, 2], [2, 2, 2]])
        #expect((0..<4).map { unet.upBlockAttention($0).transformerLayers } == [[2, 2, 2, 2], [2, 2, 2], [1, 1, 1], [1, 1]])
        #expect(unet.midBlockAttention.transformerLayers == [2])
        #expect(unet.layersPerBlockList == [1, 2, 2, 3])
        #expect(unet.upBlockAttention(0).crossAttentionDim == 1024)
        #expect(unet.upBlockAttention(0).onlyCrossAttention == true)
        #expect(unet.upBlockAttention(3).crossAttentionDim == 768)

        let listHeads = try decode(UNet2DConditionConfig.self, #"{"num_attention_heads": [2, 4, 8, 8], "attention_head_dim": 64}"#)
        #expect(listHeads.attentionHeads == [2, 4, 8, 8])
        let nullHeads = try decode(UNet2DConditionConfig.self, #"{"num_attention_heads": null, "attention_head_dim": 8}"#)
        #expect(nullHeads.attentionHeads == [8, 8, 8, 8])

        let boolOnlyCross = try decode(UNet2DConditionConfig.self, #"{"only_cross_attention": true}"#)
        #expect(boolOnlyCross.resolvedMidBlockOnlyCrossAttention)   // bool form carries over to the mid block

        // Per attention: diffusers requires the up blocks' lists too.
        let asymmetric = try decode(UNet2DConditionConfig.self, #"{"transformer_layers_per_block": [[1, 1], [2, 2], [3, 3], [4, 4]]}"#)
        #expect(asymmetric.downBlockAttention(2).transformerLayers == [3, 3])
        #expect(asymmetric.midBlockAttention.transformerLayers == [4])
        let missingReverse = configError { try asymmetric.validateSupported() }
        #expect(missingReverse?.key == "reverse_transformer_layers_per_block")
        #expect(missingReverse?.description.contains("one depth per attention") == true)

        let noMid = try decode(UNet2DConditionConfig.self, #"{"mid_block_type": null, "norm_num_groups": null}"#)
        #expect(noMid.midBlockType == nil)
        #expect(noMid.normNumGroups == nil)
    }

    @Test func missingKeysTakeDiffusersDefaults() throws {
        let unet = try decode(UNet2DConditionConfig.self, #"{"_class_name": "UNet2DConditionModel", "some_future_key": [1, 2], "_private": 3}"#)
        var expected = UNet2DConditionConfig()
        expected.className = "UNet2DConditionModel"
        expected.sourceFile = "test.json"
        #expect(unet == expected)
        #expect(unet.sampleSize == nil)
        #expect(unet.inChannels == 4 && unet.outChannels == 4)
        #expect(unet.flipSinToCos && unet.freqShift == 0)
        #expect(unet.downBlockTypes == ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"])
        #expect(unet.upBlockTypes == ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"])
        #expect(unet.crossAttentionDim == .uniform(1280))
        #expect(unet.attentionHeadDim == .uniform(8))
        #expect(unet.normNumGroups == 32 && unet.normEps == 1e-5)
        #expect(unet.downsamplePadding == 1 && unet.midBlockScaleFactor == 1)
        #expect(unet.convInKernel == 3 && unet.convOutKernel == 3)
        #expect(unet.resnetTimeScaleShift == "default" && unet.attentionType == "default")
        #expect(unet.additionEmbedTypeNumHeads == 64)
        try unet.validateSupported()

        let vae = try decode(AutoencoderKLConfig.self, "{}")
        #expect(vae.blockOutChannels == [64] && vae.layersPerBlock == 1)
        #expect(vae.sampleSize == SampleSize(32) && vae.scalingFactor == 0.18215 && vae.forceUpcast)

        let clip = try decode(CLIPTextConfig.self, "{}")
        #expect(clip.hiddenSize == 512 && clip.intermediateSize == 2048 && clip.numAttentionHeads == 8)
        #expect(clip.hiddenAct == "quick_gelu" && clip.projectionDim == 512)
        #expect(clip.padTokenId == 1 && clip.bosTokenId == 49406 && clip.eosTokenIds == [49407])
        #expect(!clip.poolsAtArgmaxTokenId)
    }

    @Test func clipTextConfigAlternativeForms() throws {
        let nested = try decode(CLIPTextConfig.self, """
            {"model_type": "clip", "text_config": {"hidden_size": 1280, "num_attention_heads": 20, "hidden_act": "gelu",
             "eos_token_id": [49407, 49408]}, "vision_config": {}}
            """)
        #expect(nested.hiddenSize == 1280 && nested.headDim == 64)
        #expect(nested.eosTokenIds == [49407, 49408])
        let t5 = try decode(CLIPTextConfig.self, #"{"dtype": "float16", "projection_dim": null}"#)
        #expect(t5.torchDtype == "float16")
        #expect(t5.projectionDim == nil)
    }

    // MARK: Errors

    @Test func unsupportedValuesAreRefusedWithFileKeyAndValue() throws {
        let cases: [(String, String)] = [
            (#"{"down_block_types": ["CrossAttnDownBlock2D", "SimpleCrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"]}"#, "down_block_types[1]"),
            (#"{"up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "AttnUpBlock2D"]}"#, "up_block_types[3]"),
            (#"{"mid_block_type": "UNetMidBlock2DSimpleCrossAttn"}"#, "mid_block_type"),
            (#"{"class_embed_type": "timestep"}"#, "class_embed_type"),
            (#"{"time_embedding_type": "fourier"}"#, "time_embedding_type"),
            (#"{"act_fn": "gelu"}"#, "act_fn"),
            (#"{"time_cond_proj_dim": 256}"#, "time_cond_proj_dim"),
            (#"{"num_class_embeds": 1000}"#, "num_class_embeds"),
        ]
        for (json, key) in cases {
            let unet = try decode(UNet2DConditionConfig.self, json)
            let error = configError { try unet.validateSupported() }
            #expect(error?.kind == .unsupported, "\(json)")
            #expect(error?.key == key, "\(json)")
            #expect(error?.description.hasPrefix("test.json: \"\(key)\" = ") == true, "\(error?.description ?? "no error")")
        }
        let gelu = try decode(UNet2DConditionConfig.self, #"{"act_fn": "gelu"}"#)
        #expect(configError { try gelu.validateSupported() }?.description.contains("\"silu\"") == true)

        let vae = try decode(AutoencoderKLConfig.self, #"{"down_block_types": ["DownEncoderBlock2D", "DownBlock2D"], "block_out_channels": [64, 128]}"#)
        #expect(configError { try vae.validateSupported() }?.key == "down_block_types[1]")
        let clip = try decode(CLIPTextConfig.self, #"{"hidden_act": "relu"}"#)
        #expect(configError { try clip.validateSupported() }?.key == "hidden_act")
    }

    @Test func listLengthsMustMatchTheBlocks() throws {
        let unet = try decode(UNet2DConditionConfig.self, #"{"block_out_channels": [320, 640, 1280], "attention_head_dim": [5, 10]}"#)
        let problems = unet.unsupportedFeatures()
        #expect(problems.map(\.key) == ["block_out_channels", "attention_head_dim"])
        #expect(problems.allSatisfy { $0.kind == .invalidValue })
        #expect(problems[0].description.contains("has 3 entries but down_block_types has 4"))

        let heads = try decode(UNet2DConditionConfig.self, #"{"attention_head_dim": 7}"#)
        #expect(configError { try heads.validateSupported() }?.key == "attention_head_dim")
    }

    @Test func wrongTypesAndBadJSONNameTheKey() throws {
        let wrongType = configError { _ = try decode(UNet2DConditionConfig.self, #"{"layers_per_block": "two"}"#) }
        #expect(wrongType?.kind == .invalidValue)
        #expect(wrongType?.key == "layers_per_block")
        #expect(wrongType?.description.hasPrefix("test.json: \"layers_per_block\"") == true)

        let nested = configError { _ = try decode(UNet2DConditionConfig.self, #"{"block_out_channels": [320, "640"]}"#) }
        #expect(nested?.key == "block_out_channels[1]")

        let notJSON = configError { _ = try decode(AutoencoderKLConfig.self, "{ not json") }
        #expect(notJSON?.kind == .invalidJSON)
        #expect(notJSON?.file == "test.json")

        let missingFile = configError { _ = try UNet2DConditionConfig(contentsOfFile: "/nonexistent/unet/config.json") }
        #expect(missingFile?.kind == .unreadable)
        #expect(missingFile?.description.hasPrefix("/nonexistent/unet/config.json") == true)

        let badToken = configError { _ = try decode(CLIPTokenizerConfig.self, #"{"pad_token": {"lstrip": false}}"#) }
        #expect(badToken?.kind == .missingKey)
        #expect(badToken?.key == "pad_token.content")
    }

    @Test func configsRoundTripThroughJSON() throws {
        let unet = try fixture(UNet2DConditionConfig.self, "sd21/unet.json")
        let data = try JSONEncoder().encode(unet)
        var again = try UNet2DConditionConfig(jsonData: data, file: unet.sourceFile)
        #expect(again == unet)
        again.sampleSize = SampleSize(height: 96, width: 128)
        let reencoded = try UNet2DConditionConfig(jsonData: try JSONEncoder().encode(again))
        #expect(reencoded.sampleSize == SampleSize(height: 96, width: 128))

        // Every key is written (nil as null), like diffusers' save_config.
        func keyCount(_ data: Data) throws -> Int {
            try JSONDecoder().decode([String: AnyKey].self, from: data).count
        }
        #expect(try keyCount(JSONEncoder().encode(UNet2DConditionConfig())) == 50)   // 48 __init__ args + 2 metadata
        #expect(try keyCount(JSONEncoder().encode(AutoencoderKLConfig())) == 20)
        #expect(try keyCount(JSONEncoder().encode(CLIPTextConfig())) == 21)
        #expect(try keyCount(JSONEncoder().encode(CLIPTokenizerConfig())) == 12)

        // Explicit nulls are written as null (like diffusers' save_config), so they survive.
        let noMid = try decode(UNet2DConditionConfig.self, #"{"mid_block_type": null, "norm_num_groups": null}"#)
        let noMidAgain = try UNet2DConditionConfig(jsonData: try JSONEncoder().encode(noMid), file: "test.json")
        #expect(noMidAgain == noMid)
        #expect(noMidAgain.midBlockType == nil)
        let clip = try decode(CLIPTextConfig.self, #"{"projection_dim": null, "eos_token_id": null}"#)
        #expect(try CLIPTextConfig(jsonData: try JSONEncoder().encode(clip), file: "test.json") == clip)
        for name in ["sd15/tokenizer_config.json", "sd21/tokenizer_config.json"] {
            let tok = try fixture(CLIPTokenizerConfig.self, name)
            #expect(try CLIPTokenizerConfig(jsonData: try JSONEncoder().encode(tok), file: tok.sourceFile) == tok)
        }
        let vae = try fixture(AutoencoderKLConfig.self, "sd15/vae.json")
        #expect(try AutoencoderKLConfig(jsonData: try JSONEncoder().encode(vae), file: vae.sourceFile) == vae)
    }
}

/// Decodes any JSON value (for counting keys).
struct AnyKey: Decodable {
    init(from decoder: any Decoder) throws {}
}

extension ConfigFile {
    func with(sourceFile: String) -> Self {
        var copy = self
        copy.sourceFile = sourceFile
        return copy
    }
}

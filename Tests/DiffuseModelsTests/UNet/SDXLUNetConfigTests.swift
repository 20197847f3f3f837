import Testing
import DiffuseModels
import DiffuseTestSupport

/// SDXL UNet configs: the real base config resolves to SDXL's blocks, and inconsistent `text_time` or
/// transformer-depth settings are refused naming the key.
@Suite struct SDXLUNetConfigTests {
    /// stabilityai/stable-diffusion-xl-base-1.0 `unet/config.json` (Fixtures/configs/sdxl/unet.json).
    @Test func baseConfigResolvesToSDXLBlocks() throws {
        let unet = try fixture(UNet2DConditionConfig.self, "sdxl/unet.json")
        try unet.validateSupported()
        #expect(unet.transformerLayersPerBlock == .perBlock([1, 2, 10]))
        #expect(unet.reverseTransformerLayersPerBlock == nil)
        #expect((0..<3).map { unet.downBlockAttention($0).transformerLayers } == [[1, 1], [2, 2], [10, 10]])
        #expect(unet.midBlockAttention.transformerLayers == [10])
        // Up blocks read the list reversed: 10, 2, 1 (layers_per_block + 1 = 3 attentions each).
        #expect((0..<3).map { unet.upBlockAttention($0).transformerLayers } == [[10, 10, 10], [2, 2, 2], [1, 1, 1]])
        // attention_head_dim [5, 10, 20] is diffusers' head COUNT: heads of 64 channels.
        #expect(unet.numAttentionHeads == nil)
        #expect(unet.attentionHeads == [5, 10, 20])
        #expect((0..<3).map { unet.downBlockAttention($0).headDim } == [64, 64, 64])
        #expect((0..<3).map { unet.upBlockAttention($0).heads } == [20, 10, 5])
        #expect(unet.midBlockAttention.heads == 20 && unet.midBlockAttention.headDim == 64)
        #expect(unet.crossAttentionDims == [2048, 2048, 2048])
        #expect(unet.useLinearProjection)
        #expect(unet.timeEmbedDim == 1280)
        // Added conditions: 2816 = 1280 (pooled text) + 6 time ids × 256; the refiner's 2560 takes 5.
        #expect(unet.requiresAddedConditions)
        #expect(unet.addedEmbeddingInputWidth == 2816)
        #expect(unet.addedTimeIdsCount(textEmbedsWidth: 1280) == 6)
        #expect(unet.addedTextEmbedsWidth(timeIdsCount: 6) == 1280)
        #expect(unet.addedTimeIdsCount(textEmbedsWidth: 1000) == nil)
        var refiner = unet
        refiner.projectionClassEmbeddingsInputDim = 2560
        #expect(refiner.addedTimeIdsCount(textEmbedsWidth: 1280) == 5)
    }

    /// The tiny fixture's per-attention form resolves per attention, the up blocks from the reverse list.
    @Test func perAttentionDepthsResolveAsDiffusers() throws {
        let unet = try UNet2DConditionConfig(contentsOfFile: FixturePaths.path("tiny-sdxl/unet_nested/config.json"))
        try unet.validateSupported()
        #expect(unet.transformerLayersPerBlock == .perAttention([[1, 1], [2, 1]]))
        #expect(unet.reverseTransformerLayersPerBlock == .perAttention([[1, 1, 1], [2, 1, 2]]))
        #expect(unet.downBlockAttention(1).transformerLayers == [2, 1])
        #expect(unet.midBlockAttention.transformerLayers == [2])      // transformer_layers_per_block[-1], first attention
        #expect(unet.upBlockAttention(0).transformerLayers == [1, 1, 1])
        #expect(unet.upBlockAttention(1).transformerLayers == [2, 1, 2])
        // A reverse list of ints is also accepted (diffusers indexes it per up block).
        let ints = try decode(UNet2DConditionConfig.self, #"{"transformer_layers_per_block": [1, 1, 2, 2], "reverse_transformer_layers_per_block": [3, 3, 1, 1]}"#)
        try ints.validateSupported()
        #expect(ints.upBlockAttention(0).transformerLayers == [3, 3, 3])
    }

    @Test func otherAddedEmbeddingsAreRefused() throws {
        let unet = try decode(UNet2DConditionConfig.self, #"{"addition_embed_type": "text_image"}"#)
        let error = configError { try unet.validateSupported() }
        #expect(error?.kind == .unsupported)
        #expect(error?.key == "addition_embed_type")
        #expect(error?.description.contains("\"text_time\"") == true)
    }

    @Test func inconsistentTextTimeConfigsAreRefused() throws {
        let cases: [(String, String)] = [
            (#"{"addition_embed_type": "text_time", "projection_class_embeddings_input_dim": 2816}"#, "addition_time_embed_dim"),
            (#"{"addition_embed_type": "text_time", "addition_time_embed_dim": 0, "projection_class_embeddings_input_dim": 2816}"#, "addition_time_embed_dim"),
            (#"{"addition_embed_type": "text_time", "addition_time_embed_dim": 256}"#, "projection_class_embeddings_input_dim"),
            (#"{"addition_embed_type": "text_time", "addition_time_embed_dim": 256, "projection_class_embeddings_input_dim": 256}"#, "projection_class_embeddings_input_dim"),
        ]
        for (json, key) in cases {
            let error = configError { try decode(UNet2DConditionConfig.self, json).validateSupported() }
            #expect(error?.kind == .invalidValue, "\(json)")
            #expect(error?.key == key, "\(json)")
            #expect(error?.description.contains("text_time") == true, "\(error?.description ?? "no error")")
        }
    }

    @Test func transformerDepthShapesAreChecked() throws {
        let blocks = #""down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"], "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"], "block_out_channels": [32, 64], "attention_head_dim": [2, 4]"#
        let cases: [(String, String, String)] = [
            // too few lists, one per block needed
            (#""transformer_layers_per_block": [[1, 1]], "reverse_transformer_layers_per_block": [[1, 1, 1], [1, 1, 1]]"#,
             "transformer_layers_per_block", "has 1 entries but down_block_types has 2"),
            // down block 1 has 2 attentions (layers_per_block 2)
            (#""transformer_layers_per_block": [[1, 1], [2]], "reverse_transformer_layers_per_block": [[1, 1, 1], [1, 1, 1]]"#,
             "transformer_layers_per_block[1]", "down block 1"),
            // up block 0 has 3 attentions
            (#""transformer_layers_per_block": [[1, 1], [2, 1]], "reverse_transformer_layers_per_block": [[1, 1], [1, 1, 1]]"#,
             "reverse_transformer_layers_per_block[0]", "up block 0"),
            (#""transformer_layers_per_block": [1, 2], "reverse_transformer_layers_per_block": 2"#,
             "reverse_transformer_layers_per_block", "one entry per up block"),
            (#""transformer_layers_per_block": [1, -2]"#, "transformer_layers_per_block", "negative"),
        ]
        for (keys, key, text) in cases {
            let json = "{" + blocks + ", " + keys + "}"
            let error = configError { try decode(UNet2DConditionConfig.self, json).validateSupported() }
            #expect(error?.kind == .invalidValue, "\(json)")
            #expect(error?.key == key, "\(json): \(error?.description ?? "no error")")
            #expect(error?.description.contains(text) == true, "\(error?.description ?? "no error")")
        }
        // Lists for blocks without attention are not read (DownBlock2D here, as in diffusers).
        let unread = try decode(UNet2DConditionConfig.self, "{" + blocks + #", "transformer_layers_per_block": [[], [2, 1]], "reverse_transformer_layers_per_block": [[1, 1, 1], []]}"#)
        try unread.validateSupported()
    }
}

/// Per-block values resolved exactly as in `UNet2DConditionModel.__init__` (diffusers 0.42): ints are
/// repeated `len(down_block_types)` times, up blocks read the lists reversed, the mid block uses the last
/// entry. Call `validateSupported()` first: these helpers assume list lengths match the block count.
extension UNet2DConditionConfig {
    /// Number of down blocks (= up blocks) — `len(down_block_types)`.
    public var blockCount: Int { downBlockTypes.count }

    /// Attention heads per down block. diffusers' naming quirk: `num_attention_heads` defaults to
    /// `attention_head_dim` ("num_attention_heads = num_attention_heads or attention_head_dim"), and the
    /// transformers then use `out_channels // num_heads` channels per head. So SD 1.5's
    /// `"attention_head_dim": 8` means 8 heads, and SD 2's `[5, 10, 20, 20]` means 5…20 heads of 64.
    public var attentionHeads: [Int] {
        (numAttentionHeads ?? attentionHeadDim).values(count: blockCount)
    }

    public var layersPerBlockList: [Int] { layersPerBlock.values(count: blockCount) }
    public var crossAttentionDims: [Int] { crossAttentionDim.values(count: blockCount) }
    public var onlyCrossAttentionList: [Bool] { onlyCrossAttention.values(count: blockCount) }

    /// `mid_block_only_cross_attention`, defaulting to a bool `only_cross_attention`, else false.
    public var resolvedMidBlockOnlyCrossAttention: Bool {
        if let v = midBlockOnlyCrossAttention { return v }
        if case .uniform(let v) = onlyCrossAttention { return v }
        return false
    }

    /// Width of the timestep embedding MLP: `time_embedding_dim` or `block_out_channels[0] * 4` (1280 for SD).
    public var timeEmbedDim: Int { timeEmbeddingDim ?? blockOutChannels[0] * 4 }

    /// Attention layout of down block `i` (also meaningful for blocks without attention): one
    /// transformer depth per attention, `layers_per_block[i]` of them.
    public func downBlockAttention(_ i: Int) -> UNetBlockAttention {
        attention(channels: blockOutChannels[i], heads: attentionHeads[i],
                  depths: transformerLayersPerBlock.depths(block: i, attentions: layersPerBlockList[i]),
                  crossDim: crossAttentionDims[i], onlyCross: onlyCrossAttentionList[i])
    }

    /// Attention layout of the mid block (one attention): the last entry of every per-block list
    /// (`transformer_layers_per_block[-1]`: SDXL's mid block has 10 transformer layers).
    public var midBlockAttention: UNetBlockAttention {
        let last = blockCount - 1
        return attention(channels: blockOutChannels[last], heads: attentionHeads[last],
                         depths: transformerLayersPerBlock.depths(block: last, attentions: 1),
                         crossDim: crossAttentionDims[last], onlyCross: resolvedMidBlockOnlyCrossAttention)
    }

    /// Attention layout of up block `i` (0 = the deepest), with `layers_per_block + 1` attentions: per-block
    /// lists read reversed, as diffusers does (`reversed_num_attention_heads`, `reversed_block_out_channels`,
    /// …); the depths from `reverse_transformer_layers_per_block[i]` when given, else from
    /// `transformer_layers_per_block` reversed (SDXL: 10, 2, 1).
    public func upBlockAttention(_ i: Int) -> UNetBlockAttention {
        let j = blockCount - 1 - i
        let attentions = layersPerBlockList[j] + 1
        let depths = reverseTransformerLayersPerBlock?.depths(block: i, attentions: attentions)
            ?? transformerLayersPerBlock.depths(block: j, attentions: attentions)
        return attention(channels: blockOutChannels[j], heads: attentionHeads[j], depths: depths,
                         crossDim: crossAttentionDims[j], onlyCross: onlyCrossAttentionList[j])
    }

    private func attention(channels: Int, heads: Int, depths: [Int], crossDim: Int, onlyCross: Bool) -> UNetBlockAttention {
        UNetBlockAttention(channels: channels, heads: heads, headDim: heads > 0 ? channels / heads : 0,
                           transformerLayers: depths, crossAttentionDim: crossDim, onlyCrossAttention: onlyCross)
    }

    /// Latent height/width the model was trained at (`sample_size`), e.g. 64 for SD 1.5, 96 for SD 2.1 768-v.
    /// The default image size is this times the VAE scale factor (8).
    public var defaultLatentSize: SampleSize? { sampleSize }
}

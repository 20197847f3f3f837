/// The attention layout of one UNet block, resolved the way `UNet2DConditionModel.__init__` resolves it:
/// `heads` attention heads of `headDim` channels over the block's `channels`, one attention per layer
/// (`attentions.<k>`) with `transformerLayers[k]` transformer blocks, and `crossAttentionDim` channels in
/// the text conditioning.
///
/// SD 1.5: 8 heads everywhere, head dims 40 / 80 / 160 / 160, depth 1. SD 2.x: heads 5 / 10 / 20 / 20,
/// head dim 64. SDXL: heads 5 / 10 / 20, head dim 64, depths 1 / 2 / 10 (mid block 10).
public struct UNetBlockAttention: Sendable, Equatable {
    public var channels: Int
    public var heads: Int
    public var headDim: Int
    /// The depth (`BasicTransformerBlock` count) of each attention of the block, in order; its count is
    /// the block's number of attentions (`layers_per_block`, + 1 in up blocks, 1 in the mid block).
    public var transformerLayers: [Int]
    public var crossAttentionDim: Int
    public var onlyCrossAttention: Bool

    public init(channels: Int, heads: Int, headDim: Int, transformerLayers: [Int],
                crossAttentionDim: Int, onlyCrossAttention: Bool) {
        self.channels = channels
        self.heads = heads
        self.headDim = headDim
        self.transformerLayers = transformerLayers
        self.crossAttentionDim = crossAttentionDim
        self.onlyCrossAttention = onlyCrossAttention
    }
}

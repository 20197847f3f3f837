import DiffuseCore
import DiffuseNN

/// diffusers `UNet2DConditionModel` (models/unets/unet_2d_condition.py) for the SD 1.x / 2.x and SDXL
/// families:
///
///     t_emb  = time_proj(t)                  sinusoidal, [B, block_out_channels[0]]
///     temb   = time_embedding(t_emb)         [B, 4·block_out_channels[0]]
///     temb  += add_embedding(text_embeds, time_ids)   SDXL only (`TextTimeEmbedding`), [B, 4·C0]
///     h      = conv_in(sample)               [B, C0, H, W]
///     down_blocks: h, skips                  channels C0 … Cn−1, resolution halved by every block but the last
///     mid_block                              [B, Cn−1, H/2ⁿ⁻¹, W/2ⁿ⁻¹]
///     up_blocks: h (consuming skips)         channels reversed, resolution doubled by every block but the last
///     out = conv_out(silu(conv_norm_out(h))) [B, out_channels, H, W]
///
/// Layer names are diffusers' (`down_blocks.1.attentions.0.transformer_blocks.0.attn1`); computation is in
/// the caller's dtype. Build it with `init(config:weightFiles:dtype:backend:)` (or from a folder, see
/// `UNet2DConditionModel+Loading.swift`); the key check rejects any checkpoint that does not fit.
public final class UNet2DConditionModel: AttentionLayers, Sendable {
    public let config: UNet2DConditionConfig
    /// The compute dtype (weights were converted to it at load when stored otherwise).
    public let dtype: DType
    public let backend: any Backend
    /// Parameters per dtype as stored in the checkpoint (before any conversion), for `diffuse inspect`.
    public let storedParameters: [DType: Int]

    /// Time embedding, `conv_in`, down blocks, mid block (what a ControlNet copies).
    let encoder: UNetEncoder
    let upBlocks: [UNetUpBlock]
    let convNormOut: GroupNorm
    let convOut: Conv2d

    /// Builds the UNet from safetensors files (memory-mapped; zero-copy when stored in `dtype`).
    /// Throws a `ConfigError` for a config Diffuse does not support (naming the key and value) and a
    /// `WeightLoadError` listing every missing, unused and mismatched key.
    public convenience init(config: UNet2DConditionConfig, weightFiles: [String], dtype: DType = .f32,
                            backend: any Backend) throws {
        try Self.checkSupported(config)
        let store = try WeightStore(files: weightFiles, dtype: dtype)
        try self.init(config: config, weights: store, backend: backend)
    }

    /// Builds the UNet from an open `WeightStore` (its `dtype` is the compute dtype, f32 when nil) and
    /// runs the store's key check.
    public init(config: UNet2DConditionConfig, weights: WeightStore, backend: any Backend) throws {
        try Self.checkSupported(config)
        self.config = config
        dtype = weights.dtype ?? .f32
        storedParameters = weights.storedDTypes
        self.backend = backend
        let root = WeightScope(weights, backend: backend)
        let settings = UNetBlockSettings(config)
        let channels = config.blockOutChannels
        let n = config.blockCount

        encoder = UNetEncoder(root, config: config, dtype: dtype, backend: backend)
        let layersPerBlock = config.layersPerBlockList
        let reversedChannels = Array(channels.reversed())
        let reversedLayers = Array(layersPerBlock.reversed())
        upBlocks = (0..<n).map { i in
            UNetUpBlock(root["up_blocks"][i], kind: UNetUpBlock.Kind(rawValue: config.upBlockTypes[i])!,
                        inChannels: reversedChannels[min(i + 1, n - 1)], outChannels: reversedChannels[i],
                        prevOutputChannels: reversedChannels[max(i - 1, 0)], numLayers: reversedLayers[i] + 1,
                        attention: config.upBlockAttention(i), addUpsample: i < n - 1, settings: settings)
        }
        convNormOut = GroupNorm(root["conv_norm_out"], groups: settings.groups, channels: channels[0], eps: settings.eps)
        convOut = Conv2d(root["conv_out"], inChannels: channels[0], outChannels: config.outChannels,
                         kernel: config.convOutKernel, padding: (config.convOutKernel - 1) / 2)
        try weights.finish()
    }

    /// `validateSupported()` plus what only the model needs (the mid block's `output_scale_factor`).
    static func checkSupported(_ config: UNet2DConditionConfig) throws {
        try config.validateSupported()
        if config.midBlockScaleFactor != 1 {
            throw ConfigError(.unsupported, file: config.sourceFile, key: "mid_block_scale_factor",
                              value: "\(config.midBlockScaleFactor)", message: "not supported by Diffuse; must be 1.0")
        }
    }

    /// Every attention layer in diffusers' module order (down blocks, up blocks, mid block), named as
    /// diffusers names them in `attn_processors`.
    public var attentionLayers: [Attention] {
        encoder.downAttentionLayers + upBlocks.flatMap(\.attentionLayers) + encoder.midAttentionLayers
    }

    /// Whether `forward` needs `added:` (SDXL's text embeddings and time ids); see the config's
    /// `addedTimeIdsCount(textEmbedsWidth:)` and `addedTextEmbedsWidth(timeIdsCount:)` for their widths.
    public var requiresAddedConditions: Bool { config.requiresAddedConditions }

    /// Number of 2× resolution changes on the way down (= on the way up), diffusers' `num_upsamplers`.
    /// Latent sizes that are not multiples of 2^this take the `forward_upsample_size` path.
    public var resolutionLevels: Int { config.blockCount - 1 }
}

import DiffuseCore
import DiffuseNN

/// Settings every UNet block takes from `unet/config.json` (the arguments `get_down_block`,
/// `get_mid_block` and `get_up_block` in diffusers' unet_2d_blocks.py pass to each block).
struct UNetBlockSettings: Sendable {
    /// `temb_channels`: width of the time embedding fed to every resnet.
    var tembChannels: Int
    /// `resnet_groups` = `norm_num_groups` (also the transformers' GroupNorm).
    var groups: Int
    /// `resnet_eps` = `norm_eps`.
    var eps: Float
    var useLinearProjection: Bool
    var upcastAttention: Bool

    init(_ config: UNet2DConditionConfig) {
        tembChannels = config.timeEmbedDim
        groups = config.normNumGroups ?? 32
        eps = Float(config.normEps)
        useLinearProjection = config.useLinearProjection
        upcastAttention = config.upcastAttention
    }
}

/// The layers every UNet block is made of, written once for the down, mid and up blocks:
/// `resnets.<i>` (ResnetBlock2D) and, in the cross-attention blocks, `attentions.<i>` (Transformer2DModel).
/// The blocks differ only in how they interleave them (see `UNetDownBlock`, `UNetMidBlock2DCrossAttn`,
/// `UNetUpBlock`).
struct ResnetAttentionLayers: Sendable {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let backend: any Backend

    /// - Parameters:
    ///   - resnetChannels: (in, out) channels of each resnet, in order.
    ///   - attention: the block's attention layout, or nil for blocks without attention; one `attentions.<k>`
    ///     (on `attention.channels` channels) per entry of `attention.transformerLayers`, that deep.
    init(_ scope: WeightScope, resnetChannels: [(in: Int, out: Int)], attention: UNetBlockAttention?,
         settings: UNetBlockSettings) {
        resnets = resnetChannels.enumerated().map { i, channels in
            ResnetBlock2D(scope["resnets"][i], inChannels: channels.in, outChannels: channels.out,
                          temb: settings.tembChannels, groups: settings.groups, eps: settings.eps)
        }
        if let attention {
            attentions = attention.transformerLayers.enumerated().map { i, depth in
                Transformer2DModel(scope["attentions"][i], channels: attention.channels, attention: attention,
                                   depth: depth, groups: settings.groups, useLinearProjection: settings.useLinearProjection,
                                   upcastAttention: settings.upcastAttention)
            }
        } else {
            attentions = []
        }
        backend = scope.backend
    }

    var hasAttention: Bool { !attentions.isEmpty }

    /// `resnets[i](x, temb)`: [B, Cin, H, W] → [B, Cout, H, W].
    func resnet(_ i: Int, _ x: Tensor, temb: Tensor) -> Tensor { resnets[i](x, temb: temb) }

    /// `attentions[i](x, encoder_hidden_states)`, or `x` unchanged in blocks without attention.
    func attention(_ i: Int, _ x: Tensor, context: Tensor) throws -> Tensor {
        hasAttention ? try attentions[i](x, context: context) : x
    }

    /// One down/up layer: resnet i, then attention i (when present).
    func layer(_ i: Int, _ x: Tensor, temb: Tensor, context: Tensor) throws -> Tensor {
        try attention(i, resnet(i, x, temb: temb), context: context)
    }

    var attentionLayers: [Attention] { attentions.flatMap(\.attentionLayers) }
}

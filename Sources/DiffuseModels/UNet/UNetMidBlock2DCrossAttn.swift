import DiffuseCore
import DiffuseNN

/// diffusers `UNetMidBlock2DCrossAttn` (models/unets/unet_2d_blocks.py) with `num_layers=1` as the UNet
/// builds it (`output_scale_factor` = `mid_block_scale_factor` = 1):
///
///     h = resnets[0](h, temb)
///     for i in 0..<1:  h = attentions[i](h, text); h = resnets[i + 1](h, temb)
public struct UNetMidBlock2DCrossAttn: Sendable {
    let layers: ResnetAttentionLayers

    init(_ scope: WeightScope, channels: Int, attention: UNetBlockAttention, numLayers: Int = 1,
         settings: UNetBlockSettings) {
        layers = ResnetAttentionLayers(scope, resnetChannels: Array(repeating: (in: channels, out: channels), count: numLayers + 1),
                                       attention: attention, attentionCount: numLayers, settings: settings)
    }

    var attentionLayers: [Attention] { layers.attentionLayers }

    /// hidden: [B, C, H, W] → [B, C, H, W].
    func callAsFunction(_ hidden: Tensor, temb: Tensor, context: Tensor) throws -> Tensor {
        var h = layers.resnet(0, hidden, temb: temb)
        for i in layers.attentions.indices {
            h = try layers.attention(i, h, context: context)
            h = layers.resnet(i + 1, h, temb: temb)
        }
        return h
    }
}

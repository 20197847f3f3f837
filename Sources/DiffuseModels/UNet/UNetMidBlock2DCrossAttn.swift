import DiffuseCore
import DiffuseNN

/// diffusers `UNetMidBlock2DCrossAttn` (models/unets/unet_2d_blocks.py) with `num_layers=1` as the UNet
/// builds it (`output_scale_factor` = `mid_block_scale_factor` = 1):
///
///     h = resnets[0](h, temb)
///     for i in 0..<1:  h = attentions[i](h, text); h = resnets[i + 1](h, temb)
public struct UNetMidBlock2DCrossAttn: Sendable {
    let layers: ResnetAttentionLayers

    /// One attention per entry of `attention.transformerLayers` (one, as the UNet builds it), one resnet more.
    init(_ scope: WeightScope, channels: Int, attention: UNetBlockAttention, settings: UNetBlockSettings) {
        let resnets = attention.transformerLayers.count + 1
        layers = ResnetAttentionLayers(scope, resnetChannels: Array(repeating: (in: channels, out: channels), count: resnets),
                                       attention: attention, settings: settings)
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

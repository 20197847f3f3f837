import DiffuseCore
import DiffuseNN

/// diffusers `CrossAttnDownBlock2D` and `DownBlock2D` (models/unets/unet_2d_blocks.py). The two differ
/// only in the `attentions`, so one type builds both:
///
///     for i in 0..<layers_per_block:  h = resnets[i](h, temb); h = attentions[i](h, text)   (CrossAttn only)
///                                     skips.append(h)
///     if not the last block:          h = downsamplers[0](h); skips.append(h)
public struct UNetDownBlock: Sendable {
    public enum Kind: String, Sendable {
        case crossAttnDownBlock2D = "CrossAttnDownBlock2D"
        case downBlock2D = "DownBlock2D"
    }

    public let kind: Kind
    let layers: ResnetAttentionLayers
    /// `downsamplers.0`: 3×3 stride-2 conv (`downsample_padding`), absent in the last block.
    let downsampler: Downsample2D?

    init(_ scope: WeightScope, kind: Kind, inChannels: Int, outChannels: Int, numLayers: Int,
         attention: UNetBlockAttention, addDownsample: Bool, downsamplePadding: Int, settings: UNetBlockSettings) {
        self.kind = kind
        require(kind != .crossAttnDownBlock2D || attention.transformerLayers.count == numLayers,
                "\(kind.rawValue): \(attention.transformerLayers.count) transformer depths for \(numLayers) layers")
        let channels = (0..<numLayers).map { i in (in: i == 0 ? inChannels : outChannels, out: outChannels) }
        layers = ResnetAttentionLayers(scope, resnetChannels: channels,
                                       attention: kind == .crossAttnDownBlock2D ? attention : nil, settings: settings)
        downsampler = addDownsample
            ? Downsample2D(scope["downsamplers"][0], channels: outChannels, padding: downsamplePadding)
            : nil
    }

    var attentionLayers: [Attention] { layers.attentionLayers }

    /// hidden: [B, Cin, H, W] → hidden [B, Cout, H/2, W/2] (H, W in the last block) and the skip
    /// connections for the up blocks (every layer's output, then the downsampled output).
    func callAsFunction(_ hidden: Tensor, temb: Tensor, context: Tensor) throws -> (hidden: Tensor, skips: [Tensor]) {
        var h = hidden
        var skips: [Tensor] = []
        for i in layers.resnets.indices {
            h = try layers.layer(i, h, temb: temb, context: context)
            skips.append(h)
        }
        if let downsampler {
            h = downsampler(h)
            skips.append(h)
        }
        return (h, skips)
    }
}

import DiffuseCore
import DiffuseNN

/// diffusers `CrossAttnUpBlock2D` and `UpBlock2D` (models/unets/unet_2d_blocks.py). The two differ only
/// in the `attentions`, so one type builds both. Each of the `layers_per_block + 1` layers takes one
/// skip connection from the down path, last first:
///
///     for i in 0..<layers:  h = cat([h, skips.popLast()], dim: 1)
///                           h = resnets[i](h, temb); h = attentions[i](h, text)   (CrossAttn only)
///     if not the last block: h = upsamplers[0](h)   (nearest 2×, 3×3 conv; with `forwardUpsampleSize`
///                            nearest to the next remaining skip's size, diffusers' `upsample_size`)
public struct UNetUpBlock: Sendable {
    public enum Kind: String, Sendable {
        case crossAttnUpBlock2D = "CrossAttnUpBlock2D"
        case upBlock2D = "UpBlock2D"
    }

    public let kind: Kind
    let layers: ResnetAttentionLayers
    /// `upsamplers.0`, absent in the last block.
    let upsampler: Upsample2D?
    let backend: any Backend

    /// - Parameters (as in diffusers' `get_up_block`): `inChannels` = the channels of the matching down
    ///   block's input (the last skip's width), `prevOutputChannels` = the previous up block's output.
    init(_ scope: WeightScope, kind: Kind, inChannels: Int, outChannels: Int, prevOutputChannels: Int,
         numLayers: Int, attention: UNetBlockAttention, addUpsample: Bool, settings: UNetBlockSettings) {
        self.kind = kind
        require(kind != .crossAttnUpBlock2D || attention.transformerLayers.count == numLayers,
                "\(kind.rawValue): \(attention.transformerLayers.count) transformer depths for \(numLayers) layers")
        let channels = (0..<numLayers).map { i in
            let skipChannels = i == numLayers - 1 ? inChannels : outChannels
            let resnetIn = i == 0 ? prevOutputChannels : outChannels
            return (in: resnetIn + skipChannels, out: outChannels)
        }
        layers = ResnetAttentionLayers(scope, resnetChannels: channels,
                                       attention: kind == .crossAttnUpBlock2D ? attention : nil, settings: settings)
        upsampler = addUpsample ? Upsample2D(scope["upsamplers"][0], channels: outChannels) : nil
        backend = scope.backend
    }

    /// How many skip connections this block consumes (`len(resnets)`).
    var skipCount: Int { layers.resnets.count }

    var attentionLayers: [Attention] { layers.attentionLayers }

    /// hidden: [B, Cprev, H, W], skips: the down path's outputs (this block takes the last `skipCount`)
    /// → [B, Cout, 2H, 2W] (H, W in the last block). `forwardUpsampleSize`: upsample to the spatial size of
    /// the skip the next block consumes first (`res_samples[-1].shape[2:]`), which diffusers does when
    /// the latent size is not a multiple of 2^levels (a down-sampled odd side does not double back).
    func callAsFunction(_ hidden: Tensor, skips: inout [Tensor], temb: Tensor, context: Tensor,
                        forwardUpsampleSize: Bool = false) throws -> Tensor {
        var h = hidden
        for i in layers.resnets.indices {
            let skip = skips.removeLast()
            // [B, C, H, W] ++ [B, Cskip, H, W] → [B, C + Cskip, H, W]
            h = backend.concat([h, skip], dim: 1)
            h = try layers.layer(i, h, temb: temb, context: context)
        }
        if let upsampler {
            let next = forwardUpsampleSize ? skips.last : nil
            h = upsampler(h, outputSize: next.map { (height: $0.size(2), width: $0.size(3)) })
        }
        return h
    }
}

import DiffuseCore
import DiffuseNN

/// diffusers `UpDecoderBlock2D` (models/unets/unet_2d_blocks.py) as the VAE `Decoder` builds it
/// (vae.py): `layers_per_block + 1` `resnets` (no time embedding), then, except in the last block,
/// `upsamplers.0` (nearest 2× and a 3×3 convolution).
struct UpDecoderBlock2D: Sendable {
    let resnets: ResnetStack
    let upsampler: Upsample2D?

    init(_ scope: WeightScope, inChannels: Int, outChannels: Int, layers: Int, groups: Int, eps: Float,
         addUpsample: Bool) {
        resnets = ResnetStack(scope, count: layers, inChannels: inChannels, outChannels: outChannels,
                              groups: groups, eps: eps)
        upsampler = addUpsample ? Upsample2D(scope["upsamplers"][0], channels: outChannels) : nil
    }

    /// x: [N, Cin, H, W] → [N, Cout, 2H, 2W], or [N, Cout, H, W] without an upsampler.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = resnets(x)
        return upsampler?(h) ?? h
    }
}

import DiffuseCore
import DiffuseNN

/// diffusers `DownEncoderBlock2D` (models/unets/unet_2d_blocks.py) as the VAE `Encoder` builds it
/// (vae.py): `resnets` (no time embedding), then, except in the last block, `downsamplers.0`, a
/// stride-2 convolution with `downsample_padding=0`, i.e. diffusers' asymmetric (0, 1, 0, 1) pre-pad.
struct DownEncoderBlock2D: Sendable {
    let resnets: ResnetStack
    let downsampler: Downsample2D?

    init(_ scope: WeightScope, inChannels: Int, outChannels: Int, layers: Int, groups: Int, eps: Float,
         addDownsample: Bool) {
        resnets = ResnetStack(scope, count: layers, inChannels: inChannels, outChannels: outChannels,
                              groups: groups, eps: eps)
        downsampler = addDownsample
            ? Downsample2D(scope["downsamplers"][0], channels: outChannels, padding: 0)
            : nil
    }

    /// x: [N, Cin, H, W] → [N, Cout, ⌊H/2⌋, ⌊W/2⌋] (pad to H + 1, 3×3 stride 2), or [N, Cout, H, W]
    /// without a downsampler.
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = resnets(x)
        return downsampler?(h) ?? h
    }
}

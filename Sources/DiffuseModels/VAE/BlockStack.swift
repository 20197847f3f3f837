import DiffuseCore
import DiffuseNN

// Pieces shared by the VAE encoder and decoder (vae.py, unet_2d_blocks.py).

/// The `resnets` list of diffusers' `DownEncoderBlock2D` / `UpDecoderBlock2D`
/// (models/unets/unet_2d_blocks.py): `count` `ResnetBlock2D`s run in sequence, the first taking
/// `inChannels`, the others `outChannels`. No time embedding (the VAE has none).
struct ResnetStack: Sendable {
    let resnets: [ResnetBlock2D]

    /// `scope` is the block's scope; the resnets are `resnets.0` … `resnets.{count-1}` under it.
    init(_ scope: WeightScope, count: Int, inChannels: Int, outChannels: Int, groups: Int, eps: Float) {
        resnets = (0..<count).map { i in
            ResnetBlock2D(scope["resnets"][i], inChannels: i == 0 ? inChannels : outChannels,
                          outChannels: outChannels, temb: nil, groups: groups, eps: eps)
        }
    }

    /// x: [N, inChannels, H, W] → [N, outChannels, H, W].
    func callAsFunction(_ x: Tensor) -> Tensor { resnets.reduce(x) { h, resnet in resnet(h) } }
}

/// Input and output channels of each block in a stack of blocks whose outputs are `channels`
/// (the encoder's `block_out_channels`, or the decoder's reversed list): block i takes what block
/// i − 1 produced, and block 0 takes `channels[0]` (what `conv_in` produced), as diffusers' loops do.
func blockChannels(_ channels: [Int]) -> [(input: Int, output: Int)] {
    channels.indices.map { i in (input: channels[max(i - 1, 0)], output: channels[i]) }
}

/// `conv_out(silu(conv_norm_out(h)))`, the tail shared by the encoder and the decoder. The GroupNorm and
/// SiLU run fused; when observing, the un-fused GroupNorm output is also computed and reported as
/// `<name>.conv_norm_out` (diffusers' `conv_norm_out` module output), then `<name>.conv_out`.
func normOutThenConv(_ h: Tensor, norm: GroupNorm, conv: Conv2d, name: String,
                     observe: AutoencoderKL.Observer?) -> Tensor {
    if let observe { observe("\(name).conv_norm_out", norm(h)) }
    let out = conv(norm(h, silu: true))
    observe?("\(name).conv_out", out)
    return out
}

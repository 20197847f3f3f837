import DiffuseCore
import DiffuseNN

extension AutoencoderKL {
    /// diffusers `Decoder` (models/autoencoders/vae.py) with `norm_type="group"`, as `AutoencoderKL` builds it:
    ///
    ///     conv_in → mid_block → up_blocks (UpDecoderBlock2D over the reversed block_out_channels,
    ///     layers_per_block + 1 resnets, all but the last upsample) → conv_norm_out + SiLU → conv_out
    struct Decoder: Sendable {
        /// Module path, `decoder` (prefix of the observed intermediate names).
        let name: String
        let convIn: Conv2d
        let midBlock: UNetMidBlock2D
        let upBlocks: [UpDecoderBlock2D]
        let convNormOut: GroupNorm
        let convOut: Conv2d

        init(_ scope: WeightScope, config: AutoencoderKLConfig) {
            let channels = config.blockOutChannels
            let reversedChannels = Array(channels.reversed())
            let groups = config.normNumGroups, eps = AutoencoderKL.normEps
            name = scope.path
            convIn = Conv2d(scope["conv_in"], inChannels: config.latentChannels, outChannels: channels.last!,
                            kernel: 3, padding: 1)
            midBlock = UNetMidBlock2D(scope["mid_block"], channels: channels.last!, groups: groups, eps: eps,
                                      addAttention: config.midBlockAddAttention)
            upBlocks = blockChannels(reversedChannels).enumerated().map { i, block in
                UpDecoderBlock2D(scope["up_blocks"][i], inChannels: block.input, outChannels: block.output,
                                 layers: config.layersPerBlock + 1, groups: groups, eps: eps,
                                 addUpsample: i < channels.count - 1)
            }
            convNormOut = GroupNorm(scope["conv_norm_out"], groups: groups, channels: channels[0], eps: eps)
            convOut = Conv2d(scope["conv_out"], inChannels: channels[0], outChannels: config.outChannels,
                             kernel: 3, padding: 1)
        }

        /// z: [N, latent_channels, h, w] (after post_quant_conv) → image [N, out_channels, h·f, w·f].
        func callAsFunction(_ z: Tensor, observe: AutoencoderKL.Observer?) throws -> Tensor {
            // [N, latent, h, w] → [N, C_last, h, w]
            var h = convIn(z)
            observe?("\(name).conv_in", h)
            h = try midBlock(h)
            observe?("\(name).mid_block", h)
            for (i, block) in upBlocks.enumerated() {
                // [N, C_rev(i−1), H_i, W_i] → [N, C_rev(i), 2H_i, 2W_i] (no upsampling in the last block)
                h = block(h)
                observe?("\(name).up_blocks.\(i)", h)
            }
            // [N, C0, H, W] → [N, out, H, W]
            return normOutThenConv(h, norm: convNormOut, conv: convOut, name: name, observe: observe)
        }
    }
}

import DiffuseCore
import DiffuseNN

extension AutoencoderKL {
    /// diffusers `Encoder` (models/autoencoders/vae.py) with `double_z=True`, as `AutoencoderKL` builds it:
    ///
    ///     conv_in → down_blocks (DownEncoderBlock2D, all but the last downsample) → mid_block
    ///     → conv_norm_out + SiLU → conv_out (2 · latent_channels: mean and log-variance)
    struct Encoder: Sendable {
        /// Module path, `encoder` (prefix of the observed intermediate names).
        let name: String
        let convIn: Conv2d
        let downBlocks: [DownEncoderBlock2D]
        let midBlock: UNetMidBlock2D
        let convNormOut: GroupNorm
        let convOut: Conv2d

        init(_ scope: WeightScope, config: AutoencoderKLConfig) {
            let channels = config.blockOutChannels
            let groups = config.normNumGroups, eps = AutoencoderKL.normEps
            name = scope.path
            convIn = Conv2d(scope["conv_in"], inChannels: config.inChannels, outChannels: channels[0], kernel: 3, padding: 1)
            downBlocks = blockChannels(channels).enumerated().map { i, block in
                DownEncoderBlock2D(scope["down_blocks"][i], inChannels: block.input, outChannels: block.output,
                                   layers: config.layersPerBlock, groups: groups, eps: eps,
                                   addDownsample: i < channels.count - 1)
            }
            midBlock = UNetMidBlock2D(scope["mid_block"], channels: channels.last!, groups: groups, eps: eps,
                                      addAttention: config.midBlockAddAttention)
            convNormOut = GroupNorm(scope["conv_norm_out"], groups: groups, channels: channels.last!, eps: eps)
            convOut = Conv2d(scope["conv_out"], inChannels: channels.last!, outChannels: 2 * config.latentChannels,
                             kernel: 3, padding: 1)
        }

        /// image: [N, in_channels, H, W] → moments [N, 2 · latent_channels, H/f, W/f] (f = 2^(blocks − 1);
        /// each down-sampling takes ⌊·/2⌋).
        func callAsFunction(_ image: Tensor, observe: AutoencoderKL.Observer?) throws -> Tensor {
            // [N, in, H, W] → [N, C0, H, W]
            var h = convIn(image)
            observe?("\(name).conv_in", h)
            for (i, block) in downBlocks.enumerated() {
                // [N, C(i−1), H_i, W_i] → [N, C(i), ⌊H_i/2⌋, ⌊W_i/2⌋] (no downsampling in the last block)
                h = block(h)
                observe?("\(name).down_blocks.\(i)", h)
            }
            // [N, C_last, h, w] → same
            h = try midBlock(h)
            observe?("\(name).mid_block", h)
            // [N, C_last, h, w] → [N, 2 · latent, h, w]
            return normOutThenConv(h, norm: convNormOut, conv: convOut, name: name, observe: observe)
        }
    }
}


import DiffuseCore
import DiffuseNN

extension AutoencoderTiny {
    /// diffusers `EncoderTiny` (models/autoencoders/vae.py), as `AutoencoderTiny` builds it:
    ///
    ///     image [-1, 1] → (x + 1) / 2 → per stage i: conv3×3 (stage 0: in → C, bias; later: C → C, stride 2,
    ///     no bias), then num_encoder_blocks[i] AutoencoderTinyBlocks → conv3×3 C → latent_channels
    ///
    /// The latents are the encoder's output as is (no distribution, no scaling).
    struct EncoderTiny: Sendable {
        let layers: TinyLayerStack
        let backend: any Backend

        init(_ scope: WeightScope, config: AutoencoderTinyConfig, activation: Activation) {
            var stack = TinyLayerStack(scope)
            let channels = config.encoderBlockOutChannels
            for (i, blocks) in config.numEncoderBlocks.enumerated() {
                let c = channels[i]
                stack.append { s in
                    .conv(i == 0 ? Conv2d(s, inChannels: config.inChannels, outChannels: c, kernel: 3, padding: 1)
                                 : Conv2d(s, inChannels: c, outChannels: c, kernel: 3, stride: 2, padding: 1, bias: false))
                }
                for _ in 0..<blocks {
                    stack.append { .block(AutoencoderTinyBlock($0, inChannels: c, outChannels: c, activation: activation)) }
                }
            }
            stack.append { .conv(Conv2d($0, inChannels: channels.last!, outChannels: config.latentChannels, kernel: 3, padding: 1)) }
            layers = stack
            backend = scope.backend
        }

        /// image: [N, in_channels, H, W] in [-1, 1] → latents [N, latent_channels, H/f, W/f] (f = 2^(stages − 1);
        /// each stride-2 convolution with padding 1 takes ⌈·/2⌉).
        func callAsFunction(_ image: Tensor, observe: AutoencoderTiny.Observer?) -> Tensor {
            // [-1, 1] → [0, 1], TAESD's convention (torch: x.add(1).div(2))
            let x = backend.divide(backend.add(image, backend.full([1], value: 1, dtype: image.dtype)), by: 2)
            return layers(x, observe: observe)
        }
    }
}

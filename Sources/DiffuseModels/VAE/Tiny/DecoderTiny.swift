import DiffuseCore
import DiffuseNN

extension AutoencoderTiny {
    /// diffusers `DecoderTiny` (models/autoencoders/vae.py), as `AutoencoderTiny` builds it:
    ///
    ///     latents → tanh(x / 3) · 3 (a soft clamp to ±3) → conv3×3 latent → C, act → per stage i:
    ///     num_decoder_blocks[i] AutoencoderTinyBlocks, then (all but the last stage) nearest 2× and
    ///     conv3×3 C → C without bias, (last stage) conv3×3 C → out_channels with bias → x · 2 − 1
    ///
    /// The output is not clamped: like diffusers, values outside [-1, 1] are left to the image conversion.
    struct DecoderTiny: Sendable {
        let layers: TinyLayerStack
        let backend: any Backend

        init(_ scope: WeightScope, config: AutoencoderTinyConfig, activation: Activation) {
            var stack = TinyLayerStack(scope)
            let channels = config.decoderBlockOutChannels
            stack.append { .conv(Conv2d($0, inChannels: config.latentChannels, outChannels: channels[0], kernel: 3, padding: 1)) }
            stack.append { _ in .activation(activation) }
            for (i, blocks) in config.numDecoderBlocks.enumerated() {
                let c = channels[i], last = i == config.numDecoderBlocks.count - 1
                for _ in 0..<blocks {
                    stack.append { .block(AutoencoderTinyBlock($0, inChannels: c, outChannels: c, activation: activation)) }
                }
                if !last { stack.append { _ in .upsample } }
                stack.append { s in
                    .conv(Conv2d(s, inChannels: c, outChannels: last ? config.outChannels : c, kernel: 3, padding: 1, bias: last))
                }
            }
            layers = stack
            backend = scope.backend
        }

        /// latents: [N, latent_channels, h, w] → image [N, out_channels, h·f, w·f] in about [-1, 1].
        func callAsFunction(_ latents: Tensor, observe: AutoencoderTiny.Observer?) -> Tensor {
            // torch: tanh(x / 3) * 3
            let clamped = backend.scale(backend.activation(backend.divide(latents, by: 3), .tanh), by: 3)
            let y = layers(clamped, observe: observe)
            // [0, 1] → [-1, 1] (torch: x.mul(2).sub(1))
            return backend.add(backend.scale(y, by: 2), backend.full([1], value: -1, dtype: y.dtype))
        }
    }
}

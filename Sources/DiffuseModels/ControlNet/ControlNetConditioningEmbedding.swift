import DiffuseCore
import DiffuseNN

/// diffusers `ControlNetConditioningEmbedding` (models/controlnets/controlnet.py): the control image
/// brought down to the latent size and the UNet's first width. With widths w₀ … wₖ (SD: 16, 32, 96, 256):
///
///     e = silu(conv_in(image))                                  [B, w₀, H, W]      3×3
///     for i in 0..<k: e = silu(blocks[2i](e))                    [B, wᵢ, …]         3×3
///                     e = silu(blocks[2i+1](e))                  [B, wᵢ₊₁, ½ …]     3×3 stride 2
///     out = conv_out(e)                                          [B, C0, H/2ᵏ, W/2ᵏ] 3×3, a zero conv in training
struct ControlNetConditioningEmbedding: Sendable {
    let convIn: Conv2d
    let blocks: [Conv2d]
    let convOut: Conv2d
    let backend: any Backend

    init(_ scope: WeightScope, imageChannels: Int, widths: [Int], outChannels: Int) {
        convIn = Conv2d(scope["conv_in"], inChannels: imageChannels, outChannels: widths[0], kernel: 3, padding: 1)
        blocks = widths.indices.dropLast().flatMap { i in [
            Conv2d(scope["blocks"][2 * i], inChannels: widths[i], outChannels: widths[i], kernel: 3, padding: 1),
            Conv2d(scope["blocks"][2 * i + 1], inChannels: widths[i], outChannels: widths[i + 1], kernel: 3, stride: 2, padding: 1),
        ] }
        convOut = Conv2d(scope["conv_out"], inChannels: widths[widths.count - 1], outChannels: outChannels, kernel: 3, padding: 1)
        backend = scope.backend
    }

    /// image: [B, imageChannels, H, W] → [B, C0, H/2ᵏ, W/2ᵏ].
    func callAsFunction(_ image: Tensor) -> Tensor {
        var e = backend.activation(convIn(image), .silu)
        for block in blocks { e = backend.activation(block(e), .silu) }
        return convOut(e)
    }
}

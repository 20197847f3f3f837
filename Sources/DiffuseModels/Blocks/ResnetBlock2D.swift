import DiffuseCore
import DiffuseNN

/// diffusers `ResnetBlock2D` (models/resnet.py) with `time_embedding_norm="default"`,
/// `output_scale_factor=1`, SiLU, as in the SD UNet and VAE.
///
///     h = conv1(silu(norm1(x))) (+ time_emb_proj(silu(temb))[:, :, None, None])
///     h = conv2(silu(norm2(h)))          (dropout is inference-off)
///     out = (conv_shortcut(x) or x) + h
public struct ResnetBlock2D: Sendable {
    let norm1: GroupNorm, conv1: Conv2d
    let timeEmbProj: Linear?
    let norm2: GroupNorm, conv2: Conv2d
    let convShortcut: Conv2d?
    let backend: any Backend

    /// - Parameters: `temb` is the time-embedding width (nil in the VAE); `groups`/`eps` the GroupNorm settings.
    public init(_ scope: WeightScope, inChannels: Int, outChannels: Int, temb: Int?, groups: Int, eps: Float) {
        norm1 = GroupNorm(scope["norm1"], groups: groups, channels: inChannels, eps: eps)
        conv1 = Conv2d(scope["conv1"], inChannels: inChannels, outChannels: outChannels, kernel: 3, padding: 1)
        timeEmbProj = temb.map { Linear(scope["time_emb_proj"], inFeatures: $0, outFeatures: outChannels) }
        norm2 = GroupNorm(scope["norm2"], groups: groups, channels: outChannels, eps: eps)
        conv2 = Conv2d(scope["conv2"], inChannels: outChannels, outChannels: outChannels, kernel: 3, padding: 1)
        convShortcut = inChannels != outChannels
            ? Conv2d(scope["conv_shortcut"], inChannels: inChannels, outChannels: outChannels, kernel: 1)
            : nil
        backend = scope.backend
    }

    /// x: [N, Cin, H, W], temb: [N, temb] or nil → [N, Cout, H, W].
    public func callAsFunction(_ x: Tensor, temb: Tensor? = nil) -> Tensor {
        var h = conv1(norm1(x, silu: true))
        if let timeEmbProj, let temb {
            // [N, Cout] → [N, Cout, 1, 1], broadcast over H, W
            let t = timeEmbProj(backend.activation(temb, .silu))
            h = backend.add(h, t.reshaped([t.size(0), t.size(1), 1, 1]))
        }
        h = conv2(norm2(h, silu: true))
        return backend.add(convShortcut?(x) ?? x, h)
    }
}

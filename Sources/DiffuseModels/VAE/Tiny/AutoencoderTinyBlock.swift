import DiffuseCore
import DiffuseNN

/// diffusers `AutoencoderTinyBlock` (models/unets/unet_2d_blocks.py): a residual block of plain
/// convolutions,
///
///     relu(conv(x) + skip(x)),   conv = conv3×3 → act → conv3×3 → act → conv3×3   (keys conv.0, conv.2, conv.4)
///
/// with `skip` a 1×1 convolution without bias when the widths differ (key `skip`), else the identity. The
/// final `fuse` is a ReLU whatever `act_fn` is.
struct AutoencoderTinyBlock: Sendable {
    let convs: [Conv2d]
    let skip: Conv2d?
    let activation: Activation
    let backend: any Backend

    init(_ scope: WeightScope, inChannels: Int, outChannels: Int, activation: Activation) {
        convs = [0, 2, 4].map { i in
            Conv2d(scope["conv"][i], inChannels: i == 0 ? inChannels : outChannels, outChannels: outChannels,
                   kernel: 3, padding: 1)
        }
        skip = inChannels == outChannels ? nil
            : Conv2d(scope["skip"], inChannels: inChannels, outChannels: outChannels, kernel: 1, bias: false)
        self.activation = activation
        backend = scope.backend
    }

    /// x: [N, Cin, H, W] → [N, Cout, H, W].
    func callAsFunction(_ x: Tensor) -> Tensor {
        var h = backend.activation(convs[0](x), activation)
        h = backend.activation(convs[1](h), activation)
        h = convs[2](h)
        return backend.activation(backend.add(h, skip?(x) ?? x), .relu)
    }
}

import DiffuseCore
import DiffuseNN

/// The `layers` `nn.Sequential` of diffusers' `EncoderTiny` / `DecoderTiny` (models/autoencoders/vae.py):
/// one entry per module, so that entry i is diffusers' `layers.i` — the checkpoint keys
/// (`encoder.layers.3.conv.0.weight`) and the observed names (`decoder.layers.4`) count the
/// parameter-free activations and up-samplings too, as `nn.Sequential` does.
struct TinyLayerStack: Sendable {
    enum Layer: Sendable {
        case conv(Conv2d)
        case block(AutoencoderTinyBlock)
        case activation(Activation)
        /// `nn.Upsample(scale_factor=2, mode="nearest")`.
        case upsample
    }

    /// The scope of `layers` (`encoder.layers`).
    let scope: WeightScope
    private(set) var layers: [Layer] = []

    /// An empty stack under `parent` (`encoder` / `decoder`).
    init(_ parent: WeightScope) { scope = parent["layers"] }

    /// Appends the layer `make` builds from the next index's scope (`layers.<count>`).
    mutating func append(_ make: (WeightScope) -> Layer) { layers.append(make(scope[layers.count])) }

    /// x → the last layer's output; reports each layer's output as `<path>.layers.<i>`.
    func callAsFunction(_ x: Tensor, observe: AutoencoderTiny.Observer?) -> Tensor {
        var h = x
        for (i, layer) in layers.enumerated() {
            switch layer {
            case .conv(let conv): h = conv(h)
            case .block(let block): h = block(h)
            case .activation(let kind): h = scope.backend.activation(h, kind)
            case .upsample: h = scope.backend.upsampleNearest2x(h)
            }
            observe?("\(scope.path).\(i)", h)
        }
        return h
    }
}

import DiffuseCore
import DiffuseNN

/// diffusers `UNetMidBlock2D` (models/unets/unet_2d_blocks.py) as the VAE's `Encoder` and `Decoder`
/// both build it (vae.py): `resnet_time_scale_shift="default"`, no time embedding, `num_layers=1`,
/// `attention_head_dim = in_channels` (one head), `output_scale_factor=1`, eps 1e-6.
///
///     h = resnets.0(x); for each layer i: h = attentions.i(h) (if add_attention); h = resnets.{i+1}(h)
///
/// The attention is diffusers' "deprecated attention block" form: built-in `group_norm` (the resnet
/// groups), q/k/v/out with biases, softmax upcast to f32, residual connection. Checkpoints name its
/// projections `to_q/to_k/to_v/to_out.0` or, in older files, `query/key/value/proj_attn`; both load
/// (the `Attention` module picks whichever is present).
/// (The `"spatial"` time-scale-shift variant belongs to other autoencoders and is not built here.)
struct UNetMidBlock2D: Sendable {
    let resnets: [ResnetBlock2D]
    /// Empty when `mid_block_add_attention` is false.
    let attentions: [Attention]

    init(_ scope: WeightScope, channels: Int, groups: Int, eps: Float, addAttention: Bool, layers: Int = 1) {
        resnets = (0...layers).map { i in
            ResnetBlock2D(scope["resnets"][i], inChannels: channels, outChannels: channels, temb: nil,
                          groups: groups, eps: eps)
        }
        attentions = addAttention
            ? (0..<layers).map { i in
                Attention(scope["attentions"][i], queryDim: channels, heads: 1, dimHead: channels,
                          bias: true, outBias: true, options: AttentionOptions(upcastSoftmax: true),
                          groupNormGroups: groups, eps: eps, residualConnection: true, rescaleOutputFactor: 1)
            }
            : []
    }

    /// x: [N, C, H, W] → [N, C, H, W].
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        var h = resnets[0](x)
        for (i, resnet) in resnets.dropFirst().enumerated() {
            if !attentions.isEmpty { h = try attentions[i](h) }
            h = resnet(h)
        }
        return h
    }
}

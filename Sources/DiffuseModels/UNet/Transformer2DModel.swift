import DiffuseCore
import DiffuseNN

/// diffusers `Transformer2DModel` (models/transformers/transformer_2d.py) on continuous inputs, as the
/// SD UNet uses it:
///
///     residual = x                                     [B, C, H, W]
///     x = norm(x)                                      GroupNorm(norm_num_groups, eps 1e-6)
///     x = proj_in(x) → [B, H·W, inner]                 1×1 conv before the flatten (SD 1.x), or a
///                                                      Linear after it (`use_linear_projection`, SD 2.x, SDXL)
///     x = transformer_blocks[i](x, encoder_hidden_states)   (BasicTransformerBlock × depth: 1 in SD, up to 10 in SDXL)
///     x = proj_out(x) → [B, C, H, W]                   conv after the unflatten, or Linear before it
///     return x + residual
public struct Transformer2DModel: Sendable {
    /// `proj_in` / `proj_out`: a 1×1 convolution on NCHW or a Linear on [B, H·W, C].
    enum Projection: Sendable {
        case conv(Conv2d)
        case linear(Linear)

        init(_ scope: WeightScope, inChannels: Int, outChannels: Int, linear: Bool) {
            self = linear ? .linear(Linear(scope, inFeatures: inChannels, outFeatures: outChannels))
                          : .conv(Conv2d(scope, inChannels: inChannels, outChannels: outChannels, kernel: 1))
        }
    }

    let norm: GroupNorm
    let projIn: Projection
    let transformerBlocks: [BasicTransformerBlock]
    let projOut: Projection
    let backend: any Backend

    /// - Parameters: `channels` in and out (the UNet block's channels), `attention` the block's resolved
    ///   heads / head dim / cross-attention dim, `depth` the number of `transformer_blocks` (diffusers'
    ///   `num_layers`, this attention's entry of `transformer_layers_per_block`), `groups` = `norm_num_groups`.
    public init(_ scope: WeightScope, channels: Int, attention: UNetBlockAttention, depth: Int, groups: Int,
                useLinearProjection: Bool, upcastAttention: Bool) {
        let inner = attention.heads * attention.headDim
        norm = GroupNorm(scope["norm"], groups: groups, channels: channels, eps: 1e-6)
        projIn = Projection(scope["proj_in"], inChannels: channels, outChannels: inner, linear: useLinearProjection)
        let options = AttentionOptions(upcastAttention: upcastAttention)
        transformerBlocks = (0..<depth).map { d in
            BasicTransformerBlock(scope["transformer_blocks"][d], dim: inner, heads: attention.heads,
                                  headDim: attention.headDim, crossAttentionDim: attention.crossAttentionDim,
                                  options: options)
        }
        projOut = Projection(scope["proj_out"], inChannels: inner, outChannels: channels, linear: useLinearProjection)
        backend = scope.backend
    }

    /// Every attention layer, in module order.
    var attentionLayers: [Attention] { transformerBlocks.flatMap(\.attentionLayers) }

    /// x: [B, C, H, W], context: [B, Lc, crossAttentionDim] → [B, C, H, W].
    public func callAsFunction(_ x: Tensor, context: Tensor) throws -> Tensor {
        let (height, width) = (x.size(2), x.size(3))
        var h = norm(x)
        // → [B, H·W, inner]
        switch projIn {
        case .conv(let conv): h = tokens(conv(h))
        case .linear(let linear): h = linear(tokens(h))
        }
        for block in transformerBlocks { h = try block(h, context: context) }
        // → [B, C, H, W]
        switch projOut {
        case .conv(let conv): h = conv(image(h, height: height, width: width))
        case .linear(let linear): h = image(linear(h), height: height, width: width)
        }
        return backend.add(h, x)
    }

    /// [B, C, H, W] → [B, H·W, C] (contiguous, as diffusers' `permute(0, 2, 3, 1).reshape`).
    private func tokens(_ x: Tensor) -> Tensor {
        backend.contiguous(x.permuted([0, 2, 3, 1])).reshaped([x.size(0), x.size(2) * x.size(3), x.size(1)])
    }

    /// [B, H·W, C] → [B, C, H, W] (contiguous, as `reshape(B, H, W, C).permute(0, 3, 1, 2).contiguous()`).
    private func image(_ x: Tensor, height: Int, width: Int) -> Tensor {
        backend.contiguous(x.reshaped([x.size(0), height, width, x.size(2)]).permuted([0, 3, 1, 2]))
    }
}

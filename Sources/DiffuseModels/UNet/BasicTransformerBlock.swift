import DiffuseCore
import DiffuseNN

/// diffusers `BasicTransformerBlock` (models/attention.py) as SD 1.x / 2.x / SDXL build it:
/// `norm_type="layer_norm"`, `activation_fn="geglu"`, `attention_bias=False`, no `only_cross_attention`,
/// no `double_self_attention`:
///
///     h = attn1(norm1(h)) + h                       self-attention
///     h = attn2(norm2(h), encoder_hidden_states) + h cross-attention on the text
///     h = ff(norm3(h)) + h                          GEGLU feed-forward
public struct BasicTransformerBlock: Sendable {
    let norm1: LayerNorm
    /// `attn1`: self-attention.
    let selfAttention: Attention
    let norm2: LayerNorm
    /// `attn2`: cross-attention (keys and values from the text encoder's hidden states).
    let crossAttention: Attention
    let norm3: LayerNorm
    let feedForward: FeedForward
    let backend: any Backend

    /// - Parameters: `dim` = heads · headDim channels, `crossAttentionDim` the text hidden size.
    public init(_ scope: WeightScope, dim: Int, heads: Int, headDim: Int, crossAttentionDim: Int,
                options: AttentionOptions) {
        norm1 = LayerNorm(scope["norm1"], dim: dim)
        selfAttention = Attention(scope["attn1"], queryDim: dim, heads: heads, dimHead: headDim, options: options)
        norm2 = LayerNorm(scope["norm2"], dim: dim)
        crossAttention = Attention(scope["attn2"], queryDim: dim, crossAttentionDim: crossAttentionDim,
                                   heads: heads, dimHead: headDim, options: options)
        norm3 = LayerNorm(scope["norm3"], dim: dim)
        feedForward = FeedForward(scope["ff"], dim: dim)
        backend = scope.backend
    }

    /// The attention layers in module order (attn1, attn2).
    var attentionLayers: [Attention] { [selfAttention, crossAttention] }

    /// hidden: [B, L, dim], context: [B, Lc, crossAttentionDim] → [B, L, dim].
    public func callAsFunction(_ hidden: Tensor, context: Tensor) throws -> Tensor {
        var h = backend.add(try selfAttention(norm1(hidden)), hidden)
        h = backend.add(try crossAttention(norm2(h), context: context), h)
        return backend.add(feedForward(norm3(h)), h)
    }
}

import DiffuseCore
import DiffuseNN

/// transformers `CLIPEncoderLayer` (models/clip/modeling_clip.py), pre-LayerNorm:
///
///     h = x + self_attn(layer_norm1(x))        (causal in the text model)
///     out = h + mlp(layer_norm2(h))
///
/// Keys `layer_norm1`, `self_attn.{q,k,v,out}_proj`, `layer_norm2`, `mlp.fc{1,2}`.
struct CLIPEncoderLayer: Sendable {
    let layerNorm1: LayerNorm
    let selfAttention: Attention
    let layerNorm2: LayerNorm
    let mlp: CLIPMLP
    let backend: any Backend

    /// `name` is the attention layer's public name, e.g. `text_model.encoder.layers.3.self_attn`.
    init(_ scope: WeightScope, config: CLIPTextConfig, activation: Activation, attentionName: String) {
        let eps = Float(config.layerNormEps)
        layerNorm1 = LayerNorm(scope["layer_norm1"], dim: config.hiddenSize, eps: eps)
        // transformers' CLIPAttention: q/k/v/out projections with biases, causal.
        let heads = config.numAttentionHeads
        require(heads > 0 && config.hiddenSize % heads == 0,
                "\(attentionName): \(config.hiddenSize) channels do not split into \(heads) heads")
        selfAttention = Attention(scope["self_attn"], queryDim: config.hiddenSize, heads: heads,
                                  dimHead: config.hiddenSize / heads, bias: true, outBias: true,
                                  options: AttentionOptions(isCausal: true), projectionKeys: .clip,
                                  name: attentionName)
        layerNorm2 = LayerNorm(scope["layer_norm2"], dim: config.hiddenSize, eps: eps)
        mlp = CLIPMLP(scope["mlp"], config: config, activation: activation)
        backend = scope.backend
    }

    /// x [B, L, hidden] → [B, L, hidden].
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let attended = try selfAttention(layerNorm1(x))
        let h = backend.add(x, attended)
        return backend.add(h, mlp(layerNorm2(h)))
    }
}

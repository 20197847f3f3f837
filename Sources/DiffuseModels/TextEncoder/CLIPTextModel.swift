import DiffuseCore
import DiffuseNN

/// transformers `CLIPTextModel` (models/clip/modeling_clip.py, transformers 5; `CLIPTextTransformer` in
/// transformers 4): the text encoder of Stable Diffusion 1.x / 2.x — and `CLIPTextModelWithProjection`
/// (SDXL's `text_encoder_2`), which adds `text_embeds = text_projection(pooler_output)`
/// (CLIPTextModel+Projection.swift).
///
///     x = token_embedding(ids) + position_embedding(0..<L)          [B, L] → [B, L, hidden]
///     x = encoder.layers[i](x)   for each layer (pre-LN, causal)     [B, L, hidden]
///     last_hidden_state = final_layer_norm(x)                        [B, L, hidden]
///     pooler_output = last_hidden_state[b, pool position of b]       [B, hidden]
///
/// Keys (with or without the `text_model.` prefix, see `CLIPTextModel+Loading.swift`):
/// `embeddings.{token,position}_embedding`, `encoder.layers.N.{layer_norm1,self_attn,layer_norm2,mlp}`,
/// `final_layer_norm`. Attention layers are named `text_model.encoder.layers.N.self_attn` whatever the
/// file's layout, and run through the nn `Attention` module and its swappable processor.
public final class CLIPTextModel: AttentionLayers, Sendable {
    public let config: CLIPTextConfig
    /// The key prefix found in the checkpoint: `"text_model."` (hub files, transformers 4) or `""` (transformers 5).
    public let keyPrefix: String
    /// The compute dtype (the dtype of the loaded parameters).
    public let dtype: DType
    let embeddings: CLIPTextEmbeddings
    let layers: [CLIPEncoderLayer]
    let finalLayerNorm: LayerNorm
    /// `CLIPTextModelWithProjection`'s `text_projection` (hidden → projection_dim, no bias), nil for a plain
    /// `CLIPTextModel` (see `hasProjection`).
    let textProjection: Linear?
    let backend: any Backend

    /// Builds the model from `config` and the tensors of `weights` (whose `dtype` is the compute dtype),
    /// then runs the store's key check. Throws a `ConfigError` naming the key for a config Diffuse cannot
    /// run (e.g. `hidden_act`), and one `WeightLoadError` listing every missing, unused and mismatched key.
    public init(config: CLIPTextConfig, weights: WeightStore, backend: any Backend) throws {
        try config.validateSupported()
        guard let activation = CLIPMLP.activation(named: config.hiddenAct) else {
            // validateSupported() already refuses other names; this keeps the two lists from drifting apart.
            throw ConfigError(.unsupported, file: config.sourceFile, key: "hidden_act", value: "\"\(config.hiddenAct)\"",
                              message: "not supported by Diffuse's CLIP text encoder")
        }
        let prefix = Self.keyPrefix(of: weights)
        weights.ignoreUnused(prefix: prefix + "embeddings.position_ids")
        let root = WeightScope(weights, backend: backend, prefix: prefix)

        self.config = config
        keyPrefix = prefix
        embeddings = CLIPTextEmbeddings(root["embeddings"], config: config)
        layers = (0..<config.numHiddenLayers).map { i in
            CLIPEncoderLayer(root["encoder"]["layers"][i], config: config, activation: activation,
                             attentionName: "text_model.encoder.layers.\(i).self_attn")
        }
        finalLayerNorm = LayerNorm(root["final_layer_norm"], dim: config.hiddenSize, eps: Float(config.layerNormEps))
        // `text_projection.weight` sits outside `text_model.` in both layouts.
        textProjection = Self.hasProjection(config: config)
            ? Linear(WeightScope(weights, backend: backend)["text_projection"], inFeatures: config.hiddenSize,
                     outFeatures: config.projectionDim ?? config.hiddenSize, bias: false)
            : nil
        dtype = embeddings.dtype
        self.backend = backend
        try weights.finish()
    }

    public var attentionLayers: [Attention] { layers.map(\.selfAttention) }

    /// Runs the whole model. ids: [B, L] (or [L]) i32/i64 token ids, L ≤ `max_position_embeddings`.
    /// `clipSkip` selects `promptEmbeddings` as diffusers does (0 = last layer); `outputHiddenStates`
    /// keeps every layer's output.
    public func callAsFunction(_ inputIds: Tensor, clipSkip: Int = 0,
                               outputHiddenStates: Bool = false) throws -> CLIPTextModelOutput {
        let ids = try checkedInputIds(inputIds)                       // [B, L], host
        try checkClipSkip(clipSkip)
        var hidden = embeddings(backend.upload(ids))                   // [B, L, hidden]
        var states = [hidden]
        for layer in layers {
            hidden = try layer(hidden)                                // [B, L, hidden]
            states.append(hidden)
        }
        let last = finalLayerNorm(hidden)                             // [B, L, hidden]
        let prompt = clipSkip == 0 ? last : finalLayerNorm(states[states.count - 1 - clipSkip])
        return CLIPTextModelOutput(lastHiddenState: last, pooledOutput: pooled(last, ids: ids),
                                   hiddenStates: outputHiddenStates ? states : nil,
                                   clipSkip: clipSkip, promptEmbeddings: prompt)
    }

    /// Only what a Stable Diffusion pipeline needs: the prompt embeddings [B, L, hidden] for `clipSkip`
    /// (diffusers' `encode_prompt`). Runs `num_hidden_layers − clipSkip` layers; no pooling.
    public func encodePrompt(_ inputIds: Tensor, clipSkip: Int = 0) throws -> Tensor {
        let ids = try checkedInputIds(inputIds)                       // [B, L], host
        try checkClipSkip(clipSkip)
        var hidden = embeddings(backend.upload(ids))                   // [B, L, hidden]
        for layer in layers.dropLast(clipSkip) { hidden = try layer(hidden) }
        return finalLayerNorm(hidden)                                 // [B, L, hidden]
    }
}

import DiffuseCore

/// transformers' `BaseModelOutputWithPooling` of `CLIPTextModel` (models/clip/modeling_clip.py), plus
/// the prompt embeddings diffusers' `encode_prompt` derives from it for a given `clip_skip`
/// (pipelines/stable_diffusion/pipeline_stable_diffusion.py).
public struct CLIPTextModelOutput: Sendable {
    /// [B, L, hidden]: the last encoder layer's output after `final_layer_norm` (`last_hidden_state`).
    public let lastHiddenState: Tensor
    /// [B, hidden]: `lastHiddenState` at each sequence's pooling position (`pooler_output`; see
    /// `CLIPTextModel.poolingPositions`).
    public let pooledOutput: Tensor
    /// layers + 1 tensors [B, L, hidden] when asked for (`output_hidden_states=True`): 0 = embeddings,
    /// i = output of encoder layer i (no final layer norm). nil otherwise.
    public let hiddenStates: [Tensor]?
    /// The clip skip `promptEmbeddings` was computed for.
    public let clipSkip: Int
    /// [B, L, hidden]: what diffusers feeds the UNet. `clipSkip` 0: `lastHiddenState`;
    /// n > 0: `final_layer_norm(hidden_states[-(n + 1)])`.
    public let promptEmbeddings: Tensor
}

import DiffuseCore
import DiffuseNN

/// transformers' `CLIPTextModelWithProjection` (models/clip/modeling_clip.py) and what diffusers'
/// `StableDiffusionXLPipeline.encode_prompt` (pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py)
/// takes from its two text encoders: a hidden state from before the last layer, without the final layer
/// norm, and (from `text_encoder_2`) the projected pooled output.
extension CLIPTextModel {
    /// Whether the model is a `CLIPTextModelWithProjection`: its config's `architectures` says so (every
    /// transformers config does; SDXL's `text_encoder_2` is one). A plain CLIPTextModel whose file also holds
    /// a `text_projection.weight` reports it unused, as transformers' CLIPTextModel ignores it.
    static func hasProjection(config: CLIPTextConfig) -> Bool {
        (config.architectures ?? []).contains("CLIPTextModelWithProjection")
    }

    /// Whether `encodePenultimate` can return `text_embeds` (`hasProjection(config:)`).
    public var hasProjection: Bool { textProjection != nil }

    /// SDXL's prompt embeddings: `hidden_states[-(2 + clipSkip)]` [B, L, hidden] (the output of encoder
    /// layer `layers − 2 − clipSkip`, no final layer norm), and with `textEmbeds` (a model with projection)
    /// `text_projection(pooler_output)` [B, projection_dim], where the pooled row is taken from the last
    /// layer after the final layer norm. ids: [B, L] token ids.
    public func encodePenultimate(_ inputIds: Tensor, clipSkip: Int = 0,
                                  textEmbeds: Bool = false) throws -> (hiddenStates: Tensor, textEmbeds: Tensor?) {
        let ids = try checkedInputIds(inputIds)                       // [B, L], host
        guard clipSkip >= 0, clipSkip + 2 <= layers.count + 1 else {
            throw CLIPTextModelError(.invalidClipSkip, "clipSkip \(clipSkip): SDXL takes hidden_states[-(2 + clipSkip)] of \(layers.count + 1); use 0 … \(layers.count - 1)")
        }
        guard !textEmbeds || textProjection != nil else {
            throw CLIPTextModelError(.noProjection, "text_embeds asked of a CLIPTextModel without text_projection (SDXL takes them from text_encoder_2, a CLIPTextModelWithProjection)")
        }
        let keep = layers.count - 1 - clipSkip                         // layers whose output is kept
        var hidden = embeddings(backend.upload(ids))                   // [B, L, hidden]
        var kept = hidden
        for (i, layer) in layers.enumerated() {
            if i >= keep && !textEmbeds { break }
            hidden = try layer(hidden)                                // [B, L, hidden]
            if i == keep - 1 { kept = hidden }
        }
        guard textEmbeds, let textProjection else { return (kept, nil) }
        // [B, L, hidden] → pooled [B, hidden] → [B, projection_dim]
        return (kept, textProjection(pooled(finalLayerNorm(hidden), ids: ids)))
    }
}

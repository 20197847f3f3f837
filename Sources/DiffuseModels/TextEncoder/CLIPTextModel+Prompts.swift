import DiffuseCore

/// The bridge from the tokenizer to the text encoder, as in diffusers' `encode_prompt`
/// (pipelines/stable_diffusion/pipeline_stable_diffusion.py): `text_encoder(text_input_ids)` on the
/// padded ids, no attention mask (SD 1.x / 2.x configs have no `use_attention_mask`).
extension CLIPTextModel {
    /// prompts (each `maxLength` ids, e.g. `[negative, positive]` for classifier-free guidance) →
    /// prompt embeddings [prompts.count, maxLength, hidden].
    public func encodePrompt(_ prompts: [TokenizedPrompt], clipSkip: Int = 0) throws -> Tensor {
        try encodePrompt(Self.inputIds(prompts), clipSkip: clipSkip)
    }

    /// prompts → ids [prompts.count, maxLength] (i64). All prompts must have the same length.
    public static func inputIds(_ prompts: [TokenizedPrompt]) throws -> Tensor {
        guard let length = prompts.first?.ids.count else {
            throw CLIPTextModelError(.invalidInputIds, "no prompts given")
        }
        guard prompts.allSatisfy({ $0.ids.count == length }) else {
            throw CLIPTextModelError(.invalidInputIds, "prompts of different lengths: \(prompts.map(\.ids.count))")
        }
        return Tensor(ids: prompts.flatMap(\.ids), shape: [prompts.count, length])
    }
}

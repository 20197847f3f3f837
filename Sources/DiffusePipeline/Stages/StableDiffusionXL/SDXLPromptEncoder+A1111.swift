import DiffuseCore
import DiffuseModels

/// `promptSyntax == .a1111` for SDXL, as A1111's SDXL conditioner with its prompt hijack
/// (stable-diffusion-webui modules/sd_models_xl.py, modules/sd_hijack_clip.py, sd_hijack_open_clip.py):
/// each text encoder chunks and weights its own prompt (`A1111PromptEncoding`; prompt_2 / negative_prompt_2
/// as in plain mode), `hidden_states[-(2 + clipSkip)]` of each, concatenated on the hidden axis
/// ([1, 77k, Σ hidden]); the pooled `text_embeds` are those of the first chunk (A1111's `zs[0].pooled`).
/// All texts of both encoders are padded to one chunk count k (the encoders' tokenizers can differ: SD 2's
/// pad `!`). Both halves use `clipSkip` (plain mode follows diffusers, which ignores it for the negative).
/// Empty negative prompts with `force_zeros_for_empty_prompt`: zeros, as in plain mode and A1111.
extension SDXLPromptEncoder {
    func encodeA1111(_ config: GenerationConfiguration, size: (width: Int, height: Int)) throws -> Conditioning {
        let n = config.imagesPerPrompt
        let ids = timeIds.rows(size: size, aestheticScore: config.aestheticScore,
                               negativeAestheticScore: config.negativeAestheticScore)
        let noNegative = config.negativePrompt.isEmpty && (config.negativePrompt2 ?? "").isEmpty
        let zeroNegative = noNegative && forceZerosForEmptyPrompt
        let encodesNegative = config.usesGuidance && !zeroNegative
        // texts[e]: what encoder e reads, [negative, prompt] or [prompt]
        let texts: [[String]] = encoders.indices.map { e in
            let usesSecond = encoders[e].component == .textEncoder2 && encoders.count > 1
            let prompt = usesSecond ? (config.prompt2 ?? config.prompt) : config.prompt
            let negative = usesSecond ? (config.negativePrompt2 ?? config.negativePrompt) : config.negativePrompt
            return encodesNegative ? [negative, prompt] : [prompt]
        }
        let raw = try zip(encoders, texts).map { try A1111PromptEncoding.chunks($1, tokenizer: $0.tokenizer) }
        let k = raw.flatMap { $0.map(\.count) }.max() ?? 1
        let chunks = zip(encoders, raw).map { A1111PromptEncoding.padded($1, to: k, tokenizer: $0.tokenizer) }

        var hidden: [Tensor] = [], pooled: Tensor?
        for (encoder, encoderChunks) in zip(encoders, chunks) {
            let out = try encoder.model.encodePenultimate(A1111PromptEncoding.inputIds(encoderChunks), clipSkip: config.clipSkip,
                                                          textEmbeds: pooled == nil && encoder.model.hasProjection)
            hidden.append(A1111PromptEncoding.emphasized(out.hiddenStates, chunks: encoderChunks, backend: backend))  // [T, 77k, H_e]
            if let embeds = out.textEmbeds {
                // [T·k, P] → each text's first chunk → [T, P]
                let rows = (0..<encoderChunks.count).map { embeds.sliced(dim: 0, ($0 * k)..<($0 * k + 1)) }
                pooled = backend.cast(backend.concat(rows, dim: 0), to: .f32)
            }
        }
        guard let pooled else {
            throw PipelineError(.unsupportedModel, "SDXL needs pooled text embeddings from a CLIPTextModelWithProjection (text_encoder_2); none of the text encoders has a text_projection")
        }
        let all = hidden.count == 1 ? hidden[0] : backend.concat(hidden, dim: 2)                           // [T, 77k, Σ H]
        let last = all.size(0) - 1
        let cond = (hidden: all.sliced(dim: 0, last..<(last + 1)), pooled: pooled.sliced(dim: 0, last..<(last + 1)))
        guard config.usesGuidance else {
            return Conditioning(embeddings: backend.repeatBatch(cond.hidden, n), guided: false,
                                extras: ["text_embeds": backend.repeatBatch(cond.pooled, n), "time_ids": timeIdRows([ids.cond], n)])
        }
        let uncond = zeroNegative
            ? (hidden: backend.zeros(cond.hidden.shape, dtype: .f32), pooled: backend.zeros(cond.pooled.shape, dtype: .f32))
            : (hidden: all.sliced(dim: 0, 0..<1), pooled: pooled.sliced(dim: 0, 0..<1))
        return Conditioning(
            embeddings: backend.concat([backend.repeatBatch(uncond.hidden, n), backend.repeatBatch(cond.hidden, n)], dim: 0),
            guided: true,
            extras: ["text_embeds": backend.concat([backend.repeatBatch(uncond.pooled, n), backend.repeatBatch(cond.pooled, n)], dim: 0),
                     "time_ids": timeIdRows([ids.uncond, ids.cond], n)])
    }
}

import DiffuseCore
import DiffuseModels

/// `promptSyntax == .a1111` for SD 1.x / 2.x (`A1111PromptEncoding`): the embeddings have 77·k tokens,
/// k the larger chunk count of the prompt and the negative prompt. `clipSkip` as A1111's "CLIP skip" − 1
/// (`hidden_states[-(clipSkip + 1)]` then the final layer norm, the same as diffusers).
extension CLIPPromptEncoder {
    func encodeA1111(_ config: GenerationConfiguration) throws -> Conditioning {
        let n = config.imagesPerPrompt
        // row 0 unconditional (with guidance), last row conditional
        let texts = config.usesGuidance ? [config.negativePrompt, config.prompt] : [config.prompt]
        let raw = try A1111PromptEncoding.chunks(texts, tokenizer: tokenizer)
        let chunks = A1111PromptEncoding.padded(raw, to: raw.map(\.count).max() ?? 1, tokenizer: tokenizer)
        let hidden = try textEncoder.encodePrompt(A1111PromptEncoding.inputIds(chunks), clipSkip: config.clipSkip)  // [T·k, 77, H]
        let embeddings = backend.cast(A1111PromptEncoding.emphasized(hidden, chunks: chunks, backend: backend),
                                      to: hidden.dtype)                                                          // [T, 77k, H]
        guard config.usesGuidance else {
            return Conditioning(embeddings: backend.repeatBatch(embeddings, n), guided: false)
        }
        let uncond = embeddings.sliced(dim: 0, 0..<1), cond = embeddings.sliced(dim: 0, 1..<2)
        return Conditioning(embeddings: backend.concat([backend.repeatBatch(uncond, n), backend.repeatBatch(cond, n)], dim: 0),
                            guided: true)
    }
}

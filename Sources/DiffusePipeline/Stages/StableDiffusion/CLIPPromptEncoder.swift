import DiffuseCore
import DiffuseSources
import DiffuseModels

/// Stage 1 of SD 1.x / 2.x: diffusers `StableDiffusionPipeline.encode_prompt` (pipeline_stable_diffusion.py)
/// — one CLIP tokenizer and text encoder; with guidance the negative and the positive prompt in one
/// batch, [2N, 77, hidden] = [negative × N, prompt × N] (CFG order [uncond, cond]). The text encoder's
/// mapped weights are released afterwards. `--prompt-syntax a1111`: CLIPPromptEncoder+A1111.swift.
public struct CLIPPromptEncoder: PromptEncoding, @unchecked Sendable {
    public let tokenizer: CLIPTokenizer
    public let textEncoder: CLIPTextModel
    let backend: any Backend
    let residentWeights: ResidentWeights

    public func encode(_ config: GenerationConfiguration, size: (width: Int, height: Int)) throws -> Conditioning {
        defer { residentWeights.release(.textEncoder) }
        if config.promptSyntax == .a1111 { return try encodeA1111(config) }
        let prompt = tokenizer(config.prompt)
        var warnings = prompt.truncationWarning.map { [$0] } ?? []
        let n = config.imagesPerPrompt
        guard config.usesGuidance else {
            // [1, 77, hidden] → [N, 77, hidden]
            let cond = try textEncoder.encodePrompt([prompt], clipSkip: config.clipSkip)
            return Conditioning(embeddings: backend.repeatBatch(cond, n), guided: false, warnings: warnings)
        }
        // diffusers pads the negative prompt to the prompt's length (77) and truncates it the same way.
        let negative = tokenizer(config.negativePrompt)
        if let warning = negative.truncationWarning { warnings.append("negative prompt: " + warning) }
        // [2, 77, hidden]: row 0 unconditional, row 1 conditional.
        let both = try textEncoder.encodePrompt([negative, prompt], clipSkip: config.clipSkip)
        let uncond = both.sliced(dim: 0, 0..<1), cond = both.sliced(dim: 0, 1..<2)
        return Conditioning(embeddings: backend.concat([backend.repeatBatch(uncond, n), backend.repeatBatch(cond, n)], dim: 0),
                            guided: true, warnings: warnings)
    }
}

import DiffuseCore
import DiffuseModels
import DiffuseSources

/// diffusers `StableDiffusionPipeline.encode_prompt` (pipeline_stable_diffusion.py).
extension StableDiffusionPipeline {
    /// The text conditioning of a run: [2N, 77, hidden] = [negative × N, prompt × N] with guidance
    /// (CFG batch order [uncond, cond]), else [N, 77, hidden] = prompt × N. Also the truncation warnings.
    /// The text encoder's mapped weights are released afterwards (`releaseResidentWeights`).
    func encodePrompts(_ config: GenerationConfiguration) throws -> (embeddings: Tensor, warnings: [String]) {
        defer { releaseResidentWeights(.textEncoder) }
        let prompt = tokenizer(config.prompt)
        var warnings = prompt.truncationWarning.map { [$0] } ?? []
        let n = config.imagesPerPrompt
        guard config.usesGuidance else {
            // [1, 77, hidden] → [N, 77, hidden]
            let cond = try textEncoder.encodePrompt([prompt], clipSkip: config.clipSkip)
            return (repeatBatch(cond, n), warnings)
        }
        // diffusers pads the negative prompt to the prompt's length (77) and truncates it the same way.
        let negative = tokenizer(config.negativePrompt)
        if let warning = negative.truncationWarning { warnings.append("negative prompt: " + warning) }
        // [2, 77, hidden]: row 0 unconditional, row 1 conditional.
        let both = try textEncoder.encodePrompt([negative, prompt], clipSkip: config.clipSkip)
        let uncond = both.sliced(dim: 0, 0..<1), cond = both.sliced(dim: 0, 1..<2)
        return (backend.concat([repeatBatch(uncond, n), repeatBatch(cond, n)], dim: 0), warnings)
    }

    /// x [1, ...] → [n, ...] (`x.repeat(n, 1, …)`).
    func repeatBatch(_ x: Tensor, _ n: Int) -> Tensor {
        n == 1 ? x.contiguous() : backend.concat(Array(repeating: x, count: n), dim: 0)
    }
}

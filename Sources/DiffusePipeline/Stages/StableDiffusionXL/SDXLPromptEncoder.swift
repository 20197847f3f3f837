import DiffuseCore
import DiffuseModels
import DiffuseSources

/// Stage 1 of SDXL: diffusers `StableDiffusionXLPipeline.encode_prompt`
/// (pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py) and the time ids of `__call__`.
///
/// Each text encoder gets its own prompt (`text_encoder`: `prompt`, `text_encoder_2`: `prompt_2`, which
/// defaults to `prompt`; the refiner has only `text_encoder_2`, which then gets `prompt`, as diffusers'
/// `zip` gives it) through its own tokenizer (each pads with its own pad token). Per encoder, the hidden
/// state before the last layer, `hidden_states[-(2 + clip_skip)]`; the encoders' widths are
/// concatenated (SDXL: 768 + 1280 = 2048). The pooled `text_embeds` come from the encoder with a
/// projection (`text_encoder_2`).
///
/// Unconditional half (guidance > 1): zeros when no negative prompt is given and the model says
/// `force_zeros_for_empty_prompt` (SDXL base); otherwise the negative prompts encoded as above with
/// `hidden_states[-2]` (diffusers ignores `clip_skip` there).
///
/// Output: embeddings [2N, 77, Σ hidden] = [uncond × N, cond × N], extras `text_embeds` [2N, P] and
/// `time_ids` [2N, 6 | 5] in the same order (without guidance: [N, …], cond only). With
/// `--prompt-syntax a1111` the sequence axis is 77·k (SDXLPromptEncoder+A1111.swift).
public struct SDXLPromptEncoder: PromptEncoding, @unchecked Sendable {
    /// One text encoder with its tokenizer and the component its weights belong to.
    public struct Encoder: @unchecked Sendable {
        public let tokenizer: CLIPTokenizer
        public let model: CLIPTextModel
        public let component: SingleFileCheckpoint.Component
    }

    /// In diffusers' order: [text_encoder, text_encoder_2], or [text_encoder_2] for the refiner.
    public let encoders: [Encoder]
    public let forceZerosForEmptyPrompt: Bool
    public let timeIds: SDXLTimeIds
    let backend: any Backend
    let residentWeights: ResidentWeights

    public func encode(_ config: GenerationConfiguration, size: (width: Int, height: Int)) throws -> Conditioning {
        defer { for encoder in encoders { residentWeights.release(encoder.component) } }
        if config.promptSyntax == .a1111 { return try encodeA1111(config, size: size) }
        var warnings: [String] = []
        // cond: [1, 77, Σ hidden], [1, P]
        let cond = try encodeBoth([config.prompt, config.prompt2 ?? config.prompt], clipSkip: config.clipSkip,
                                  label: "prompt", warnings: &warnings)
        let n = config.imagesPerPrompt
        let ids = timeIds.rows(size: size, aestheticScore: config.aestheticScore,
                               negativeAestheticScore: config.negativeAestheticScore)
        guard config.usesGuidance else {
            return Conditioning(embeddings: backend.repeatBatch(cond.hidden, n), guided: false,
                                extras: ["text_embeds": backend.repeatBatch(cond.pooled, n), "time_ids": timeIdRows([ids.cond], n)],
                                warnings: warnings)
        }
        let noNegative = config.negativePrompt.isEmpty && (config.negativePrompt2 ?? "").isEmpty
        let uncond: (hidden: Tensor, pooled: Tensor)
        if noNegative && forceZerosForEmptyPrompt {
            uncond = (backend.zeros(cond.hidden.shape, dtype: .f32), backend.zeros(cond.pooled.shape, dtype: .f32))
        } else {
            uncond = try encodeBoth([config.negativePrompt, config.negativePrompt2 ?? config.negativePrompt],
                                    clipSkip: 0, label: "negative prompt", warnings: &warnings)
        }
        return Conditioning(
            embeddings: backend.concat([backend.repeatBatch(uncond.hidden, n), backend.repeatBatch(cond.hidden, n)], dim: 0),
            guided: true,
            extras: ["text_embeds": backend.concat([backend.repeatBatch(uncond.pooled, n), backend.repeatBatch(cond.pooled, n)], dim: 0),
                     "time_ids": timeIdRows([ids.uncond, ids.cond], n)],
            warnings: warnings)
    }

    /// prompts[i] through encoders[i] → hidden [1, 77, Σ hidden] (f32), pooled text_embeds [1, P].
    func encodeBoth(_ prompts: [String], clipSkip: Int, label: String,
                    warnings: inout [String]) throws -> (hidden: Tensor, pooled: Tensor) {
        var ids: [Tensor] = []
        for (encoder, prompt) in zip(encoders, prompts) {
            let tokens = encoder.tokenizer(prompt)
            if let warning = tokens.truncationWarning {
                let which = encoder.component == .textEncoder2 && encoders.count > 1 ? "\(label) 2" : label
                if !warnings.contains(which + ": " + warning) { warnings.append(which + ": " + warning) }
            }
            ids.append(try CLIPTextModel.inputIds([tokens]))                  // [1, 77]
        }
        return try Self.encode(ids: ids, models: encoders.map(\.model), clipSkip: clipSkip, backend: backend)
    }

    /// ids[i] [B, 77] through models[i] → hidden [B, 77, Σ hidden] (f32; each encoder's
    /// `hidden_states[-(2 + clipSkip)]`, concatenated), pooled text_embeds [B, P] (f32) from the first model
    /// with a projection. Also what `diffuse bench` times for SDXL's text encoders.
    public static func encode(ids: [Tensor], models: [CLIPTextModel], clipSkip: Int = 0,
                              backend: any Backend) throws -> (hidden: Tensor, pooled: Tensor) {
        var hidden: [Tensor] = [], pooled: Tensor?
        for (model, input) in zip(models, ids) {
            let out = try model.encodePenultimate(input, clipSkip: clipSkip, textEmbeds: pooled == nil && model.hasProjection)
            hidden.append(backend.cast(out.hiddenStates, to: .f32))              // [B, 77, hidden_i]
            if let embeds = out.textEmbeds { pooled = backend.cast(embeds, to: .f32) }  // [B, P]
        }
        guard let pooled else {
            throw PipelineError(.unsupportedModel, "SDXL needs pooled text embeddings from a CLIPTextModelWithProjection (text_encoder_2); none of the text encoders has a text_projection")
        }
        return (hidden.count == 1 ? hidden[0] : backend.concat(hidden, dim: 2), pooled)
    }

    /// rows (one per half) → [rows.count · n, ids] host f32, each row repeated n times.
    func timeIdRows(_ rows: [[Float]], _ n: Int) -> Tensor {
        let values = rows.flatMap { row in Array(repeating: row, count: n).flatMap { $0 } }
        return Tensor(values, shape: [rows.count * n, rows[0].count])
    }
}

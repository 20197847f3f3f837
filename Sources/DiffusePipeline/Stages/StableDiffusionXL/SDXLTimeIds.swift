import DiffuseCore

/// SDXL's micro-conditioning (diffusers `StableDiffusionXLPipeline._get_add_time_ids`,
/// pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py, and the img2img pipeline's variant in
/// pipeline_stable_diffusion_xl_img2img.py): the numbers the UNet embeds beside the pooled text.
///
/// - base layout (6 ids): original size (h, w), crop top-left (0, 0), target size (h, w) — diffusers'
///   defaults make the original and target sizes the image's own, for the prompt and the negative prompt;
/// - refiner layout (`requires_aesthetics_score`, 5 ids): original size, crop top-left, aesthetic score
///   (`aesthetic_score` 6.0 for the prompt, `negative_aesthetic_score` 2.5 for the negative prompt).
public struct SDXLTimeIds: Sendable, Equatable {
    /// Whether the ids end in an aesthetic score instead of the target size (the refiner).
    public let requiresAestheticsScore: Bool

    public init(requiresAestheticsScore: Bool) { self.requiresAestheticsScore = requiresAestheticsScore }

    /// How many ids each row has.
    public var count: Int { requiresAestheticsScore ? 5 : 6 }

    /// (prompt row, negative-prompt row) for an image of `size` pixels.
    public func rows(size: (width: Int, height: Int), aestheticScore: Double,
                     negativeAestheticScore: Double) -> (cond: [Float], uncond: [Float]) {
        let h = Float(size.height), w = Float(size.width)
        let head: [Float] = [h, w, 0, 0]                       // original size, crop top-left
        if requiresAestheticsScore {
            return (head + [Float(aestheticScore)], head + [Float(negativeAestheticScore)])
        }
        return (head + [h, w], head + [h, w])                 // + target size
    }

    /// Which layout a UNet taking `timeIdsCount` ids needs; `declared` is the model's
    /// `requires_aesthetics_score` (model_index.json), when it says. Throws when the two disagree or the
    /// UNet takes neither 5 nor 6 ids, as diffusers does ("Model expects an added time embedding vector of
    /// length …").
    public static func layout(timeIdsCount: Int?, declared: Bool?) throws -> SDXLTimeIds {
        guard let n = timeIdsCount, n == 5 || n == 6 else {
            throw PipelineError(.unsupportedModel,
                "the UNet's add_embedding takes \(timeIdsCount.map(String.init) ?? "no whole number of") time ids beside the pooled text embeddings; SDXL has 6 (base) or 5 (refiner). Check the UNet's projection_class_embeddings_input_dim and addition_time_embed_dim against text_encoder_2's projection_dim")
        }
        let ids = SDXLTimeIds(requiresAestheticsScore: n == 5)
        if let declared, declared != ids.requiresAestheticsScore {
            throw PipelineError(.unsupportedModel,
                "model_index.json says requires_aesthetics_score \(declared), but the UNet takes \(n) time ids (\(n == 5 ? "the refiner's layout, with an aesthetic score" : "the base layout, with a target size")); set requires_aesthetics_score to \(!declared)")
        }
        return ids
    }
}

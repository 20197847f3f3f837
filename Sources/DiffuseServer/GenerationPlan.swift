import DiffuseImage
import DiffusePipeline

/// A request checked and turned into what the generation thread runs: the pipeline configuration (seed
/// drawn), the iterations (A1111's `n_iter`), the LoRAs its prompt names, and what the infotext says.
struct GenerationPlan: Sendable {
    var config: GenerationConfiguration
    /// A1111's `n_iter`: batches run one after the other, batch i with seed + i × batch size.
    var iterations = 1
    var loras: [PromptLoRA] = []
    /// The prompt as sent (LoRA tags included), for the infotext.
    var promptAsSent: String
    var sampler: SchedulerChoice
    /// `override_settings.sd_model_checkpoint`: the model to switch to first.
    var model: String? = nil
    /// img2img: the init image and mask at the output size; with a mask, the kept pixels are pasted back
    /// over each output (A1111's overlay, which its inpainting always applies).
    var initImages: InitImages? = nil
    /// Inpainting: the mask blur, for the infotext.
    var maskBlur: Double? = nil

    var seed: UInt64 { config.seed ?? 0 }
    var batchSize: Int { config.imagesPerPrompt }
}

import DiffuseCore

/// Everything one `StableDiffusionPipeline` run needs, with diffusers' defaults
/// (`StableDiffusionPipeline.__call__` / `StableDiffusionImg2ImgPipeline.__call__`; for SDXL
/// `StableDiffusionXLPipeline.__call__` / `StableDiffusionXLImg2ImgPipeline.__call__`).
public struct GenerationConfiguration: Sendable {
    /// The text to draw.
    public var prompt: String
    /// What to steer away from: the unconditional half of classifier-free guidance. `""` (the default)
    /// is what diffusers uses when no negative prompt is given.
    public var negativePrompt: String = ""
    /// SDXL: the prompt of the second text encoder (diffusers `prompt_2`); nil: `prompt`. Ignored by
    /// single-encoder models.
    public var prompt2: String? = nil
    /// SDXL: the negative prompt of the second text encoder (`negative_prompt_2`); nil: `negativePrompt`.
    /// When both negative prompts are empty and the model says `force_zeros_for_empty_prompt` (SDXL base),
    /// the unconditional embeddings are zeros, as diffusers does when no negative prompt is given.
    public var negativePrompt2: String? = nil
    /// Denoising steps (`num_inference_steps`), ≥ 1. Default 50. Image-to-image runs `⌊steps · strength⌋`.
    public var steps: Int = 50
    /// Classifier-free guidance scale g: noise = u + g·(c − u). g ≤ 1 skips the unconditional pass
    /// (one UNet batch instead of two), as diffusers does. Default 7.5.
    public var guidanceScale: Double = 7.5
    /// Seed of the torch-compatible generator (`torch.Generator("cpu").manual_seed(seed)`); nil draws a
    /// random one (returned in `GenerationResult.seed`).
    public var seed: UInt64? = nil
    /// Replaces the model's scheduler, keeping its betas. nil: the model's own.
    public var scheduler: SchedulerChoice? = nil
    /// Image size in pixels; nil: the UNet's `sample_size` × the VAE scale factor (for image-to-image:
    /// the init image's size). Multiples of 8 (of the VAE factor × the UNet's down-sampling), any aspect.
    public var width: Int? = nil
    public var height: Int? = nil
    /// Images drawn for the prompt, as one batch (one `randn` call for all their latents).
    public var imagesPerPrompt: Int = 1
    /// Image-to-image: the start image, [1, 3, H, W] in [-1, 1] (`RGBImage.tensor()`); nil for text-to-image.
    public var initImage: Tensor? = nil
    /// Image-to-image: how much of the schedule to run, in [0, 1] (1 = from pure noise). Default 0.8.
    public var strength: Double = 0.8
    /// Inpainting (with `initImage`): the mask, [1, 1, H, W] in [0, 1] at the init image's size
    /// (`RGBImage.maskTensor()`): 1 (white) = repaint, 0 = keep; binarized at 0.5 as diffusers'
    /// `mask_processor` does. A 9-channel inpainting UNet gets it with the masked image's latents; an
    /// ordinary model has the kept region re-noised and blended back after every step
    /// (`StableDiffusionInpaintPipeline`). nil: no inpainting.
    public var maskImage: Tensor? = nil
    /// ControlNets steering the composition (diffusers' `StableDiffusionControlNetPipeline`; several are
    /// `MultiControlNetModel`: residuals summed in order). Each control image must be at the output size.
    public var controlNets: [ControlNetCondition] = []
    /// SDXL refiner layout (`requires_aesthetics_score`): the aesthetic score in the time ids of the
    /// prompt (`aesthetic_score`, default 6.0) and of the negative prompt (`negative_aesthetic_score`, 2.5).
    public var aestheticScore: Double = 6.0
    public var negativeAestheticScore: Double = 2.5
    /// Replaces the scheduler's `timestep_spacing` ("linspace", "leading", "trailing"; SDXL-Turbo and
    /// SD-Turbo are trained for "trailing"); nil: the scheduler config's own.
    public var timestepSpacing: String? = nil
    /// Decode (and, for image-to-image, encode) in overlapping tiles of the VAE's `sample_size` and one
    /// image at a time, blended as diffusers' `vae.enable_tiling()` + `enable_slicing()` do: memory follows
    /// the tile, not the image (a 2048² SD decode fits in a few GiB). The image differs slightly from the
    /// untiled one, as diffusers' does. Default false.
    public var vaeTiling: Bool = false
    /// CLIP layers to skip from the end (diffusers `clip_skip`; 0 = the last layer).
    public var clipSkip: Int = 0
    /// How the prompts are read: `.plain` (diffusers', the default) or `.a1111` (AUTOMATIC1111's weights,
    /// `BREAK` and long prompts in 75-token chunks).
    public var promptSyntax: PromptSyntax = .plain
    /// The memory the run may use: a run whose predicted peak (`MemoryModel`) is larger is refused
    /// before anything is allocated (`PipelineError.tooLarge`). Default: this process's limit
    /// (`MemoryLimit.process`: machine memory, cgroup, rlimits); nil: no check.
    public var memoryLimit: MemoryLimit? = MemoryLimit.process

    public init(prompt: String) { self.prompt = prompt }

    /// Whether the unconditional pass runs (diffusers `do_classifier_free_guidance`).
    public var usesGuidance: Bool { guidanceScale > 1 }
}

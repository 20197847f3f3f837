import DiffuseCore
import DiffuseSchedulers

/// A text-to-image diffusion pipeline built from stages, as diffusers' Modular Diffusers composes its
/// blocks (`modular_pipelines/…/modular_blocks_*.py`):
///
/// ```text
///  prompt ─▶ PromptEncoding ─▶ Conditioning ──────────────────┐
///  config ─▶ LatentPreparation (text-to-image | image-to-image) ─▶ latents₀, timesteps
///                                                             ▼
///            denoising loop: Denoiser (model + guidance + ConditioningHooks), scheduler.step,
///                            the run's LatentStepHooks (inpainting's blend),
///                            StepCallback (progress, preview, cancel) after every step
///                                                             ▼
///            LatentDecoding ─▶ images (downloaded to the host)
/// ```
///
/// A model family conforms by supplying its stages (SD 1.x / 2.x: `StableDiffusionPipeline+Stages.swift`);
/// a variant (inpainting, ControlNet, SDXL's added time ids) is a new stage or hook, not edits across
/// the pipeline. `generate` runs them in order; `LatentPreparation` is picked from the configuration's
/// inputs (an init image → image-to-image), like diffusers' "auto" blocks.
public protocol DiffusionPipeline: AnyObject, Sendable {
    /// The backend every stage computes on.
    var backend: any Backend { get }
    /// Stage 1: prompt → conditioning.
    var promptEncoder: any PromptEncoding { get }
    /// Stage 3's model: latents + conditioning → noise prediction (guidance included).
    var denoiser: any Denoiser { get }
    /// Stage 4: latents → images.
    var latentDecoder: any LatentDecoding { get }
    /// Stage 2 for `config`: text-to-image, image-to-image, … .
    func latentPreparation(for config: GenerationConfiguration) throws -> any LatentPreparation
    /// The scheduler of a run (the model's own unless the configuration picks another class or
    /// timestep spacing).
    func makeScheduler(_ choice: SchedulerChoice?, timestepSpacing: String?) throws -> any Scheduler
    /// Checks the configuration against the pipeline's limits before anything runs; returns the size.
    func validate(_ config: GenerationConfiguration) throws -> (width: Int, height: Int)
}

extension DiffusionPipeline {
    /// One generation: the four stages in order. `callback` runs after every denoising step; returning
    /// `.cancel` stops with a `PipelineError` of kind `.cancelled`.
    public func generate(_ config: GenerationConfiguration, callback: StepCallback? = nil) throws -> GenerationResult {
        let size = try validate(config)
        let seed = config.seed ?? UInt64.random(in: 0..<(1 << 32))
        var run = GenerationState(config: config, size: size, seed: seed, scheduler: try makeScheduler(config.scheduler, timestepSpacing: config.timestepSpacing))

        // 1. Prompt → conditioning ([2N, L, hidden] = [uncond, cond] with guidance, else [N, L, hidden];
        //    SDXL adds text_embeds [2N, P] and time_ids [2N, 6], which depend on the size)
        run.conditioning = try promptEncoder.encode(config, size: size)
        try FiniteCheck.require(run.conditioning!.embeddings, "the prompt embeddings",
                                cause: "the text encoder's weights hold NaN or ∞ values; check its files (diffuse inspect) or download them again")
        // 2. Timesteps and the initial latents [N, C, h, w]
        try latentPreparation(for: config).prepare(&run, backend: backend)
        // ControlNet: residuals for every UNet call from the control images
        if !config.controlNets.isEmpty {
            run.conditioning!.hooks.append(ControlNetHook(conditions: config.controlNets, guided: run.conditioning!.guided,
                                                          backend: backend))
        }
        // 3. Denoising loop
        let latents = try denoise(&run, callback: callback)
        // 4. Decode [N, C, h, w] → [N, 3, H, W] (tiled if asked), downloaded to the host
        let images = try latentDecoder.decode(latents, tiled: config.vaeTiling).toHost()
        try FiniteCheck.require(images, "the decoded image",
                                cause: "the VAE's weights hold NaN or ∞ values, or its activations overflow in f16 (use an f32 VAE or --vae); check its files (diffuse inspect)")
        return GenerationResult(images: images, latents: latents, initialLatents: run.initialLatents!,
                                timesteps: run.timesteps, seed: seed, warnings: run.conditioning!.warnings)
    }

    /// Stage 3: every timestep of `run` — the denoiser's prediction, then the scheduler's step — from
    /// `run.latents`. Returns the final latents.
    func denoise(_ run: inout GenerationState, callback: StepCallback?) throws -> Tensor {
        defer { denoiser.finished() }
        guard var latents = run.latents, let conditioning = run.conditioning else {
            preconditionFailure("denoise: the prompt and latent stages have not run")
        }
        let clock = ContinuousClock(), began = clock.now
        let guidance = Float(run.config.guidanceScale)
        for (i, t) in run.timesteps.enumerated() {
            let step = DenoisingStep(index: i, count: run.timesteps.count, timestep: t)
            let prediction = try denoiser.predict(latents, step: step, conditioning: conditioning,
                                                  guidance: guidance, scheduler: run.scheduler)
            latents = try run.scheduler.step(modelOutput: prediction, timestep: t, sample: latents,
                                             random: &run.random, on: backend)
            for hook in run.stepHooks { latents = try hook.afterStep(latents, step: step, run: run, backend: backend) }
            // After the first step (NaN weights show at once, not after the whole run) and the last (what
            // the decoder gets): one small download each, none in between.
            if i == 0 || i == run.timesteps.count - 1 {
                try FiniteCheck.require(latents, "the latents after step \(i + 1) of \(run.timesteps.count)",
                                        cause: "the UNet's weights (or a LoRA's) hold NaN or ∞ values, or the scheduler config is broken; check the files (diffuse inspect)")
            }
            if let callback {
                let elapsed = clock.now - began
                let seconds = elapsed.seconds
                let report = GenerationStep(step: i + 1, stepCount: run.timesteps.count, timestep: t,
                                            latents: latents, elapsed: seconds)
                if callback(report) == .cancel {
                    throw PipelineError(.cancelled, "generation cancelled after step \(i + 1) of \(run.timesteps.count)")
                }
            }
        }
        return latents
    }
}

import DiffuseCore
import DiffuseSchedulers

/// What the stages of one generation hand each other (`DiffusionPipeline.generate`).
public struct GenerationState: @unchecked Sendable {
    public let config: GenerationConfiguration
    /// The image size in pixels, validated.
    public let size: (width: Int, height: Int)
    public let seed: UInt64
    /// The torch-compatible generator of the run: the initial noise, then every draw the stages make, in
    /// diffusers' order.
    public var random: TorchRandomSource
    public var scheduler: any Scheduler
    /// Set by stage 1.
    public var conditioning: Conditioning?
    /// Set by stage 2: the timesteps to run and the latents to start from (on the backend's device) …
    public var timesteps: [Double] = []
    public var latents: Tensor?
    /// … and the starting latents as the result reports them (text-to-image: the host noise before upload).
    public var initialLatents: Tensor?
    /// Set by stage 2 when the run needs it: edits of the latents after every scheduler step, in order
    /// (inpainting with an ordinary model blends the kept region back, `InpaintingBlend`).
    public var stepHooks: [any LatentStepHook] = []

    public init(config: GenerationConfiguration, size: (width: Int, height: Int), seed: UInt64, scheduler: any Scheduler) {
        self.config = config
        self.size = size
        self.seed = seed
        random = TorchRandomSource(seed: seed)
        self.scheduler = scheduler
    }
}

/// The text conditioning of a run (stage 1's output).
public struct Conditioning: @unchecked Sendable {
    /// [2N, L, hidden] = [uncond × N, cond × N] with guidance, else [N, L, hidden].
    public var embeddings: Tensor
    /// Whether `embeddings` holds the unconditional half (classifier-free guidance).
    public var guided: Bool
    /// Extra model inputs a family needs beside the embeddings, by diffusers' name (SDXL:
    /// `text_embeds`, `time_ids`); empty for SD 1.x / 2.x.
    public var extras: [String: Tensor] = [:]
    /// Prompt warnings (truncation), as diffusers logs them.
    public var warnings: [String] = []
    /// Conditioning added to every model call of this run, in order (ControlNet: `ControlNetHook`).
    public var hooks: [any ConditioningHook] = []

    public init(embeddings: Tensor, guided: Bool, extras: [String: Tensor] = [:], warnings: [String] = []) {
        self.embeddings = embeddings
        self.guided = guided
        self.extras = extras
        self.warnings = warnings
    }
}

import DiffuseCore

/// What the step callback sees after each denoising step.
public struct GenerationStep: @unchecked Sendable {
    /// 1-based step just finished, and the number of steps of this run.
    public let step: Int
    public let stepCount: Int
    /// The scheduler timestep of this step.
    public let timestep: Double
    /// The latents after the step, [N, 4, h, w] (decode with `StableDiffusionPipeline.decode(latents:)`
    /// for a preview).
    public let latents: Tensor
    /// Seconds since the first step began.
    public let elapsed: Double
}

/// What the callback wants next.
public enum StepAction: Sendable {
    case proceed
    /// Stop: the pipeline throws `PipelineError` of kind `.cancelled`.
    case cancel
}

/// Called on the generating thread after every step.
public typealias StepCallback = (GenerationStep) -> StepAction

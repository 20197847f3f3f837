import DiffuseCore

/// An edit of the latents after every scheduler step of one run (`GenerationState.stepHooks`, added by
/// its latent stage): inpainting with an ordinary 4-channel model puts the kept region back
/// (`InpaintingBlend`). `run` is the state after the step (its scheduler has advanced).
public protocol LatentStepHook: Sendable {
    /// latents [N, C, h, w] after `step`'s scheduler step → the latents the next step starts from.
    func afterStep(_ latents: Tensor, step: DenoisingStep, run: GenerationState, backend: any Backend) throws -> Tensor
}

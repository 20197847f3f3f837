import DiffuseCore

/// Stage 2: sets the run's timesteps (on its scheduler) and its starting latents — pure noise for
/// text-to-image, the noised encoding of an image for image-to-image, … . Draws from `run.random` in
/// diffusers' order.
public protocol LatentPreparation: Sendable {
    func prepare(_ run: inout GenerationState, backend: any Backend) throws
}

import DiffuseCore

/// Stage 4: final latents [N, C, h, w] → images [N, 3, H, W] in about [-1, 1] (on the backend's device;
/// `DiffusionPipeline.generate` downloads them). Also what a step callback calls for a preview.
public protocol LatentDecoding: Sendable {
    func decode(_ latents: Tensor) throws -> Tensor
}

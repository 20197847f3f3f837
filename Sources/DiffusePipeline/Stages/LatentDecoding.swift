import DiffuseCore

/// Stage 4: final latents [N, C, h, w] → images [N, 3, H, W] in about [-1, 1] (on the backend's device;
/// `DiffusionPipeline.generate` downloads them). Also what a step callback calls for a preview.
/// `tiled`: the run's `GenerationConfiguration.vaeTiling` (a decoder without tiling ignores it).
public protocol LatentDecoding: Sendable {
    func decode(_ latents: Tensor, tiled: Bool) throws -> Tensor
}

extension LatentDecoding {
    /// Untiled decode.
    public func decode(_ latents: Tensor) throws -> Tensor { try decode(latents, tiled: false) }
}

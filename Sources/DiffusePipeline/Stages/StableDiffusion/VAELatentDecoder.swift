import DiffuseCore
import DiffuseSources
import DiffuseModels

/// Stage 4 of SD 1.x / 2.x: `vae.decode(latents / scaling_factor (+ shift_factor))` → [N, 3, H, W] f32 in
/// about [-1, 1], tiled and one image at a time when asked (`AutoencoderKL+Tiling.swift`). The VAE's
/// mapped weights are released afterwards.
public struct VAELatentDecoder: LatentDecoding, @unchecked Sendable {
    public let vae: AutoencoderKL
    let backend: any Backend
    let residentWeights: ResidentWeights

    public func decode(_ latents: Tensor, tiled: Bool) throws -> Tensor {
        defer { residentWeights.release(.vae) }
        var z = backend.scale(backend.cast(latents, to: .f32), by: 1 / vae.scalingFactor)
        if let shift = vae.shiftFactor { z = backend.add(z, backend.full([1], value: shift)) }
        let image = tiled ? try vae.decode(z, tiling: VAETiling(config: vae.config)) : try vae.decode(z)
        return backend.cast(image, to: .f32)
    }
}

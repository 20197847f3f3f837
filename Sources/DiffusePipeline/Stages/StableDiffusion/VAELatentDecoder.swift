import DiffuseCore
import DiffuseSources
import DiffuseModels

/// Stage 4 of SD 1.x / 2.x and SDXL: `vae.decode(latents / scaling_factor (+ shift_factor))` → [N, 3, H, W]
/// f32 in about [-1, 1], with the model's `AutoencoderKL` or a replacement (`AutoencoderTiny`), tiled and
/// one image at a time when asked (`AutoencoderKL+Tiling.swift`). The VAE's
/// mapped weights are released afterwards.
public struct VAELatentDecoder: LatentDecoding, @unchecked Sendable {
    public let vae: any LatentAutoencoder
    let backend: any Backend
    let residentWeights: ResidentWeights

    public func decode(_ latents: Tensor, tiled: Bool) throws -> Tensor {
        defer { residentWeights.release(.vae) }
        var z = backend.scale(backend.cast(latents, to: .f32), by: 1 / vae.scalingFactor)
        if let shift = vae.shiftFactor { z = backend.add(z, backend.full([1], value: shift)) }
        return backend.cast(try vae.decode(z, tiled: tiled), to: .f32)
    }
}

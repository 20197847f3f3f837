import DiffuseCore
import DiffuseImage
import DiffuseModels

/// Previews of the latents during denoising (`--preview`, or a step callback): with a tiny autoencoder
/// (`--vae` TAESD / TAESDXL) its full decode, else a cheap projection of each latent pixel to RGB — one
/// pixel per latent (1/8 of the image side for SD), no model run.
///
/// The projection: rgb = Σ_c latent_c · F[c] for the model's latents as the UNet sees them (scaled by
/// `scaling_factor`), then image = clamp((rgb + 1) / 2) · 255. F are the 4 × 3 factors ComfyUI's latent
/// previews use (`latent_rgb_factors` of its SD 1.5 and SDXL latent formats), fitted to the two VAE
/// families' decodes; SD 2.x shares SD 1.x's VAE.
public struct LatentPreview: Sendable {
    /// One row per latent channel: its contribution to (R, G, B).
    public let factors: [[Float]]

    public init(factors: [[Float]]) { self.factors = factors }

    /// The factors for `family`.
    public init(family: ModelFamily) {
        switch family {
        case .stableDiffusion:
            factors = [[0.3512, 0.2297, 0.3227], [0.3250, 0.4974, 0.2350], [-0.2829, 0.1762, 0.2721],
                       [-0.2120, -0.2616, -0.7177]]
        case .stableDiffusionXL:
            factors = [[0.3920, 0.4054, 0.4549], [-0.2634, -0.0196, 0.0653], [0.0568, 0.1687, -0.0755],
                       [-0.3112, -0.2359, -0.2076]]
        }
    }

    /// latents [N, C, h, w] (C = `factors.count`) → N images of w × h.
    public func images(_ latents: Tensor) -> [RGBImage] {
        let shape = latents.shape
        require(shape.count == 4 && shape[1] == factors.count,
                "LatentPreview: expected latents [N, \(factors.count), h, w], got \(shape)")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let values = latents.toHost().floats(), plane = h * w
        return (0..<n).map { b in
            var pixels = [UInt8](repeating: 0, count: plane * 3)
            for i in 0..<plane {
                for k in 0..<3 {
                    var v: Float = 0
                    for ch in 0..<c { v += values[(b * c + ch) * plane + i] * factors[ch][k] }
                    let unit = (v + 1) / 2
                    pixels[i * 3 + k] = UInt8((min(max(unit.isNaN ? 0 : unit, 0), 1) * 255).rounded(.toNearestOrEven))
                }
            }
            return RGBImage(width: w, height: h, pixels: pixels)
        }
    }
}

extension StableDiffusionPipeline {
    /// Previews of `latents` [N, C, h, w] from a step (`GenerationStep.latents`): the tiny autoencoder's
    /// decode when the VAE is one (full size), else `LatentPreview`'s projection (one pixel per latent).
    public func preview(latents: Tensor) throws -> [RGBImage] {
        if vae is AutoencoderTiny {
            let images = try latentDecoder.decode(latents).toHost()          // [N, 3, H, W]
            return (0..<images.size(0)).map { RGBImage(tensor: images.sliced(dim: 0, $0..<($0 + 1))) }
        }
        return LatentPreview(family: family).images(latents)
    }
}

import DiffuseCore

/// The output of one generation.
public struct GenerationResult: @unchecked Sendable {
    /// The decoded images, [N, 3, H, W] in about [-1, 1] (`vae.decode(latents / scaling_factor)`), in
    /// batch order. `RGBImage(tensor:)` turns one into 8-bit pixels as diffusers' `numpy_to_pil` does.
    public let images: Tensor
    /// The final latents, [N, 4, H/f, W/f] (diffusers `output_type="latent"`).
    public let latents: Tensor
    /// The latents the loop started from (text-to-image: `randn · init_noise_sigma`; image-to-image:
    /// the noised encoding of the init image).
    public let initialLatents: Tensor
    /// The timesteps that ran.
    public let timesteps: [Double]
    /// The seed used (the given one or the one drawn).
    public let seed: UInt64
    /// Prompt warnings (truncation to 77 tokens), as diffusers logs them.
    public let warnings: [String]
}

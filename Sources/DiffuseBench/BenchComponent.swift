/// What `diffuse bench <component>` times per cell.
///
/// | component | one timed call |
/// |---|---|
/// | `unet` | one UNet forward on `batch` latents (the quantity the study reports: seconds per UNet call) |
/// | `vae` | one VAE decode of `batch` latents |
/// | `text-encoder` | one text-encoder forward on `batch` prompts of 77 tokens |
/// | `pipeline` | text encoder on 2·batch prompts, `steps` UNet calls on 2·batch latents (classifier-free guidance), VAE decode of `batch` latents; scheduler arithmetic (negligible) left out |
public enum BenchComponent: String, Sendable, CaseIterable, Codable {
    case unet, vae, textEncoder = "text-encoder", pipeline

    /// Whether the cell needs the UNet / VAE / text encoder.
    public var needsUNet: Bool { self == .unet || self == .pipeline }
    public var needsVAE: Bool { self == .vae || self == .pipeline }
    public var needsTextEncoder: Bool { self == .textEncoder || self == .pipeline }

    /// Images one timed call produces per batch item (for images per second).
    public func imagesPerCall(batch: Int) -> Int { batch }
}

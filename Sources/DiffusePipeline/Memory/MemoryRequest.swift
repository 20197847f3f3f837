/// One question for `MemoryModel`: a call (`MemoryCall`) at an image size, batch, precision and
/// attention kernel.
public struct MemoryRequest: Sendable, Equatable, CustomStringConvertible {
    public var call: MemoryCall
    /// Image size in pixels (the latents are this divided by the VAE factor).
    public var width: Int
    public var height: Int
    /// Images (UNet / VAE: latents; text encoder: prompts).
    public var batch: Int
    public var precision: Precision
    public var attention: MemoryAttention
    /// `pipeline` only: classifier-free guidance runs the text encoder and the UNet on 2·batch
    /// (`GenerationConfiguration.usesGuidance`).
    public var guidance: Bool
    /// The VAE runs tiled (`AutoencoderKL.tiling`): its activations are one tile's of this side in pixels,
    /// for one image at a time. nil: the whole image and batch at once.
    public var vaeTile: Int? = nil

    public init(call: MemoryCall, width: Int, height: Int, batch: Int, precision: Precision = .f32,
                attention: MemoryAttention, guidance: Bool = true) {
        self.call = call
        self.width = width
        self.height = height
        self.batch = batch
        self.precision = precision
        self.attention = attention
        self.guidance = guidance
    }

    /// The batch of the text-encoder and UNet calls of a `pipeline` (2·batch with guidance).
    public var guidedBatch: Int { call == .pipeline && guidance ? 2 * batch : batch }

    /// "512×512 × 4 images (f32, vanilla attention)", "a UNet call on 4 latents of 512×512 (…)".
    public var description: String {
        let settings = "(\(precision), \(attention))"
        let plural = batch == 1 ? "" : "s"
        switch call {
        case .pipeline: return "\(width)×\(height) × \(batch) image\(plural) \(settings)"
        case .unet: return "a UNet call on \(batch) latent\(plural) of \(width)×\(height) \(settings)"
        case .vae: return "a VAE decode of \(batch) latent\(plural) of \(width)×\(height) \(settings)"
        case .textEncoder: return "a text-encoder call on \(batch) prompt\(plural) \(settings)"
        }
    }
}

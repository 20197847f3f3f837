/// What a memory prediction covers (`MemoryRequest.call`): one call of a component, as
/// `diffuse bench <component>` times it, or a whole generation.
public enum MemoryCall: String, Sendable, CaseIterable {
    /// One UNet forward on `batch` latents.
    case unet
    /// One VAE decode of `batch` latents (an image-to-image encode holds no more).
    case vae
    /// One text-encoder forward on `batch` prompts of `max_position_embeddings` tokens.
    case textEncoder = "text-encoder"
    /// A whole generation of `batch` images: the text encoder and the UNet on 2·batch with
    /// classifier-free guidance, the VAE on batch; its peak is the largest of the three stages.
    case pipeline

    /// Whether the call runs the UNet / VAE / text encoder (whose weights it then holds).
    public var needsUNet: Bool { self == .unet || self == .pipeline }
    public var needsVAE: Bool { self == .vae || self == .pipeline }
    public var needsTextEncoder: Bool { self == .textEncoder || self == .pipeline }
}

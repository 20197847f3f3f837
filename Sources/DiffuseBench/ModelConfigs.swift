import DiffuseModels
import DiffuseSources

/// The three component configs a benchmark needs (for the memory prediction, `memoryModel`, and the inputs).
public struct ModelConfigs: Sendable {
    public var unet: UNet2DConditionConfig
    public var vae: AutoencoderKLConfig
    public var textEncoder: CLIPTextConfig

    public init(unet: UNet2DConditionConfig, vae: AutoencoderKLConfig, textEncoder: CLIPTextConfig) {
        self.unet = unet
        self.vae = vae
        self.textEncoder = textEncoder
    }

    public init(_ arch: SyntheticArch) { self.init(unet: arch.unet, vae: arch.vae, textEncoder: arch.textEncoder) }
    public init(_ folder: ModelFolder) { self.init(unet: folder.unet, vae: folder.vae, textEncoder: folder.widestTextEncoder) }

    /// Pixels per latent.
    public var vaeScaleFactor: Int { vae.scaleFactor }
}

import DiffuseModels
import DiffuseSources

/// The component configs a benchmark needs (for the memory prediction, `memoryModel`, and the inputs).
public struct ModelConfigs: Sendable {
    public var unet: UNet2DConditionConfig
    public var vae: AutoencoderKLConfig
    public var textEncoder: CLIPTextConfig
    /// SDXL's `text_encoder_2` (with projection: the pooled `text_embeds`); nil for SD 1.x / 2.x.
    public var textEncoder2: CLIPTextConfig?

    public init(unet: UNet2DConditionConfig, vae: AutoencoderKLConfig, textEncoder: CLIPTextConfig,
                textEncoder2: CLIPTextConfig? = nil) {
        self.unet = unet
        self.vae = vae
        self.textEncoder = textEncoder
        self.textEncoder2 = textEncoder2
    }

    public init(_ arch: SyntheticArch) {
        self.init(unet: arch.unet, vae: arch.vae, textEncoder: arch.textEncoder, textEncoder2: arch.textEncoder2)
    }

    public init(_ folder: ModelFolder) {
        // The SDXL refiner's only encoder (text_encoder_2) stands in as the text encoder.
        self.init(unet: folder.unet, vae: folder.vae, textEncoder: folder.textEncoder ?? folder.widestTextEncoder,
                  textEncoder2: folder.textEncoder == nil ? nil : folder.textEncoder2)
    }

    /// Pixels per latent.
    public var vaeScaleFactor: Int { vae.scaleFactor }

    /// The family's default image side: the UNet's `sample_size` × the VAE factor.
    public var defaultSize: Int { (unet.sampleSize?.height ?? 64) * vaeScaleFactor }

    /// The UNet's context width (`cross_attention_dim`; SDXL: 768 + 1280 = 2048, both encoders concatenated).
    public var contextWidth: Int { unet.crossAttentionDims.first ?? textEncoder.hiddenSize }
}

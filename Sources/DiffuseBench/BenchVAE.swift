import DiffuseModels
import DiffusePipeline

/// The decoder a `vae` or `pipeline` cell runs (`diffuse bench vae|pipeline --vae kl tiny`): the model's own
/// `AutoencoderKL`, or a tiny autoencoder (TAESD / TAESDXL, `AutoencoderTiny` at diffusers' default config,
/// which is theirs) with seeded random weights — what `generate --vae madebyollin/taesd` decodes with.
public enum BenchVAE: String, Sendable, CaseIterable, Codable {
    case kl
    case tiny

    /// "kl|tiny", for help texts and errors.
    public static var names: String { allCases.map(\.rawValue).joined(separator: "|") }

    /// The tiny autoencoder's config: diffusers' `AutoencoderTiny()` defaults (TAESD and TAESDXL alike).
    public static var tinyConfig: AutoencoderTinyConfig { AutoencoderTinyConfig() }

    /// The memory model's VAE for this choice, `kl` being the family's own.
    public func config(_ kl: AutoencoderKLConfig) -> VAEConfig {
        switch self {
        case .kl: .autoencoderKL(kl)
        case .tiny: .autoencoderTiny(Self.tinyConfig)
        }
    }
}

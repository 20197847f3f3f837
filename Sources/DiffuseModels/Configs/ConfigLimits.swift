/// Upper bounds on the sizes a model config may declare, checked with the rest of `validateSupported()`
/// before any module or weight is built. They are far above every real Stable Diffusion model (largest
/// seen: SDXL's 1280 channels and transformer depth 10, OpenCLIP bigG's 32 layers of width 1280 / 5120,
/// 77 positions, 49408 tokens) and low enough that products of them (c² · k² weights, layers × blocks)
/// stay far from integer overflow and from building millions of modules. A hostile `config.json`
/// (`layers_per_block: 1000000`, `num_hidden_layers: 10⁹`, `block_out_channels: [2⁴⁰]`) is refused with
/// the key and the bound instead of ending in a fatal allocation or an overflow trap.
public enum ConfigLimits {
    /// Channels / widths: UNet and VAE `block_out_channels`, CLIP `hidden_size` and `intermediate_size`,
    /// cross-attention and projection widths, input / output / latent channels.
    public static let maxChannels = 65_536
    /// Blocks per UNet / VAE (`block_out_channels` entries; real models: 3–4).
    public static let maxBlocks = 16
    /// ResNet layers per block (`layers_per_block`; real: 1–3) and transformer depth per attention (real: 1–10).
    public static let maxLayersPerBlock = 64
    /// Transformer layers of a text encoder (`num_hidden_layers`; real: 12–32).
    public static let maxTextLayers = 256
    /// Attention heads or head width.
    public static let maxHeads = 4_096
    /// Token positions (`max_position_embeddings`, `model_max_length`; SD: 77).
    public static let maxPositions = 65_536
    /// Vocabulary entries (`vocab_size`; CLIP: 49408).
    public static let maxVocabulary = 1_048_576
    /// Latent or pixel side (`sample_size`; real: 32–1024).
    public static let maxSampleSize = 65_536

    /// A `.invalidValue` error for each of `values` above `limit` (or below `minimum`; lower bounds are
    /// mostly left to the validations, whose messages say more).
    static func check(_ values: [(key: String, value: Int)], max limit: Int, minimum: Int = .min, file: String,
                      what: String) -> [ConfigError] {
        values.compactMap { key, value in
            guard value > limit || value < minimum else { return nil }
            return ConfigError(.invalidValue, file: file, key: key, value: "\(value)",
                               message: value < minimum ? "must be at least \(minimum)"
                                   : "is larger than any real model's \(what) (at most \(limit)); the file is damaged or not a Stable Diffusion config")
        }
    }
}

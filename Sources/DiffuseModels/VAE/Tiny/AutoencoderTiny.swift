import DiffuseCore
import DiffuseNN

/// diffusers `AutoencoderTiny` (models/autoencoders/autoencoder_tiny.py): TAESD, a distilled VAE that
/// reads and writes the latents of an SD (TAESD) or SDXL (TAESDXL) `AutoencoderKL` at a fraction of its cost.
///
///     encode: image [-1, 1] → EncoderTiny → latents            (`AutoencoderTinyOutput.latents`: no sampling)
///     decode: latents → DecoderTiny (tanh(x / 3) · 3 first) → image
///
/// As for `AutoencoderKL`, `decode` takes *unscaled* latents (the pipeline divides by `scalingFactor`, 1
/// for TAESD) and images are [B, C, H, W] in [-1, 1]. Every convolution is followed by a ReLU (or the
/// config's `act_fn`); there are no norms and no attention. Tiling and slicing are not implemented.
///
/// Computation happens in the dtype chosen at load (`dtype`); inputs are converted to it and outputs
/// come back in it.
public final class AutoencoderTiny: Sendable {
    /// Receives the output of each of diffusers' `encoder.layers.<i>` / `decoder.layers.<i>` during
    /// `encode` / `decode`, to localise a difference from a reference. Costs nothing when nil.
    public typealias Observer = AutoencoderKL.Observer

    public let config: AutoencoderTinyConfig
    /// The compute dtype (weights were converted to it at load).
    public let dtype: DType
    public let backend: any Backend
    /// Parameters per dtype as stored in the checkpoint (for `diffuse inspect`).
    public let storedDTypes: [DType: Int]

    let encoder: EncoderTiny
    let decoder: DecoderTiny

    /// Builds the model from `weights` (keys as in diffusers' `diffusion_pytorch_model.safetensors`,
    /// `encoder.layers.<i>.…`, `decoder.layers.<i>.…` — TAESD's and TAESDXL's diffusers checkpoints). Throws
    /// the config's first unsupported value (`ConfigError`) before reading any weight, and after building,
    /// one `WeightLoadError` listing every missing, unused and mis-shaped key. `computeDType` overrides the
    /// compute dtype (nil: the stored dtype if there is one, else f32).
    public init(config: AutoencoderTinyConfig, weights: WeightStore, backend: any Backend,
                computeDType: DType? = nil) throws {
        try config.validateSupported()
        let root = WeightScope(weights, backend: backend)
        self.config = config
        dtype = computeDType ?? weights.dtype
            ?? (weights.storedDTypes.count == 1 ? weights.storedDTypes.keys.first! : .f32)
        self.backend = backend
        storedDTypes = weights.storedDTypes
        let activation = Self.activation(config.actFn)
        encoder = EncoderTiny(root["encoder"], config: config, activation: activation)
        decoder = DecoderTiny(root["decoder"], config: config, activation: activation)
        try weights.finish()
    }

    /// `act_fn` as diffusers' `get_activation` reads it (case-insensitive); `validateSupported` has
    /// refused the others.
    static func activation(_ name: String) -> Activation {
        switch name.lowercased() {
        case "silu", "swish": .silu
        case "gelu": .gelu
        default: .relu
        }
    }

    /// `config.scaling_factor` (1 for TAESD / TAESDXL): latents for the UNet are `scalingFactor · z`.
    public var scalingFactor: Float { Float(config.scalingFactor) }
    /// Pixels per latent along each side (`2^(stages − 1)`; 8 for TAESD).
    public var vaeScaleFactor: Int { config.scaleFactor }

    /// image [B, in_channels, H, W] in [-1, 1] → latents [B, latent_channels, ⌈H/f⌉, ⌈W/f⌉] (f =
    /// `vaeScaleFactor`; each stride-2 convolution rounds up, unlike `AutoencoderKL`'s padded one).
    public func encode(_ image: Tensor, observe: Observer? = nil) throws -> Tensor {
        try AutoencoderError.checkImageLike(image, role: "image", channels: config.inChannels, model: "AutoencoderTiny",
                                            method: "encode")
        return encoder(backend.cast(image, to: dtype), observe: observe)
    }

    /// Unscaled latents [B, latent_channels, h, w] → image [B, out_channels, h·f, w·f] (about [-1, 1]).
    public func decode(_ latents: Tensor, observe: Observer? = nil) throws -> Tensor {
        try AutoencoderError.checkImageLike(latents, role: "latents", channels: config.latentChannels,
                                            model: "AutoencoderTiny", method: "decode")
        return decoder(backend.cast(latents, to: dtype), observe: observe)
    }

    /// diffusers `scale_latents`: raw latents → [0, 1], `clamp(x / (2 · latent_magnitude) + latent_shift, 0, 1)`
    /// — for storing latents as 8-bit images; the pipelines never call it.
    public func scaleLatents(_ latents: Tensor) -> Tensor {
        let x = backend.divide(backend.cast(latents, to: dtype), by: Float(2 * config.latentMagnitude))
        return backend.clamp(backend.add(x, backend.full([1], value: Float(config.latentShift), dtype: dtype)),
                             lower: 0, upper: 1)
    }

    /// diffusers `unscale_latents`: [0, 1] → raw latents, `(x − latent_shift) · 2 · latent_magnitude`.
    public func unscaleLatents(_ scaled: Tensor) -> Tensor {
        let x = backend.add(backend.cast(scaled, to: dtype), backend.full([1], value: -Float(config.latentShift), dtype: dtype))
        return backend.scale(x, by: Float(2 * config.latentMagnitude))
    }
}

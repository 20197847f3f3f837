import DiffuseCore
import DiffuseNN

/// What a pipeline needs of a VAE, whichever diffusers class it is (`AutoencoderKL`, `AutoencoderTiny`):
/// the stages that encode init images and decode latents (`ImageToImageLatents`, `VAELatentDecoder`), the
/// size rules (`vaeScaleFactor`), the memory model (`parameterCount`) and the attention setting hold one.
///
/// The scaling is the pipeline's, as in diffusers: UNet latents are `scalingFactor · z` for an encoding z,
/// and `decode` takes `latents / scalingFactor` (`+ shiftFactor` when there is one).
public protocol LatentAutoencoder: AnyObject, AttentionLayers, Sendable {
    /// diffusers' class name: `AutoencoderKL`, `AutoencoderTiny`.
    var className: String { get }
    /// Channels of the latents it encodes to and decodes from (4 for SD / SDXL).
    var latentChannels: Int { get }
    /// Pixels per latent along each side (the pipelines' `vae_scale_factor`, 8 for SD).
    var vaeScaleFactor: Int { get }
    /// `config.scaling_factor`.
    var scalingFactor: Float { get }
    /// `config.shift_factor` where it is not a no-op (nil for SD 1.x / 2.x / XL VAEs).
    var shiftFactor: Float? { get }
    /// The compute dtype (weights were converted to it at load).
    var dtype: DType { get }
    /// Parameters per dtype as stored in the checkpoint.
    var storedDTypes: [DType: Int] { get }
    var parameterCount: Int { get }
    /// One line for `diffuse inspect` and logs.
    var summary: String { get }

    /// Unscaled latents [B, latent_channels, h, w] → images [B, 3, h·f, w·f] in about [-1, 1], in `dtype`;
    /// `tiled`: in overlapping tiles, one image at a time, as diffusers' `enable_tiling()` (`AutoencoderKL`;
    /// `AutoencoderTiny` decodes whole).
    func decode(_ latents: Tensor, tiled: Bool) throws -> Tensor

    /// Image [B, 3, H, W] in [-1, 1] → unscaled latents [B, latent_channels, H/f, W/f], as diffusers'
    /// `retrieve_latents(vae.encode(image), generator)`: `AutoencoderKL` samples its posterior with one
    /// `noise(shape)` draw (`latent_dist.sample(generator)`); `AutoencoderTiny` returns its latents and draws
    /// nothing — so the generator's later draws differ between the two, as in diffusers.
    /// `tiled` as for `decode`.
    func encodeLatents(_ image: Tensor, tiled: Bool, noise: (_ shape: [Int]) throws -> Tensor) throws -> Tensor
}

extension LatentAutoencoder {
    /// Untiled decode.
    public func decode(_ latents: Tensor) throws -> Tensor { try decode(latents, tiled: false) }
}

extension AutoencoderKL: LatentAutoencoder {
    public var className: String { "AutoencoderKL" }
    public var latentChannels: Int { config.latentChannels }
    public func decode(_ latents: Tensor, tiled: Bool) throws -> Tensor {
        tiled ? try decode(latents, tiling: VAETiling(config: config)) : try decode(latents, observe: nil)
    }

    public func encodeLatents(_ image: Tensor, tiled: Bool, noise: (_ shape: [Int]) throws -> Tensor) throws -> Tensor {
        let posterior = tiled ? try latentDistribution(image, tiling: VAETiling(config: config)) : try latentDistribution(image)
        return posterior.sample(noise: try noise(posterior.mean.shape))
    }
}

extension AutoencoderTiny: LatentAutoencoder {
    public var className: String { "AutoencoderTiny" }
    public var latentChannels: Int { config.latentChannels }
    public var shiftFactor: Float? { config.shiftFactor == 0 ? nil : Float(config.shiftFactor) }
    /// None: TAESD has no attention.
    public var attentionLayers: [Attention] { [] }
    public func decode(_ latents: Tensor, tiled: Bool) throws -> Tensor { try decode(latents, observe: nil) }

    public func encodeLatents(_ image: Tensor, tiled: Bool, noise: (_ shape: [Int]) throws -> Tensor) throws -> Tensor {
        try encode(image)
    }
}

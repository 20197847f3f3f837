import DiffuseCore

/// diffusers `DiagonalGaussianDistribution` (models/autoencoders/vae.py): the posterior
/// `AutoencoderKL` encodes an image to, N(mean, exp(logvar)), per latent element.
///
/// `logvar` is clamped to [-30, 20] as diffusers does. Everything runs as ops on the VAE's backend.
public struct DiagonalGaussianDistribution: Sendable {
    /// [B, latent_channels, h, w].
    public let mean: Tensor
    /// [B, latent_channels, h, w], clamped to [-30, 20].
    public let logvar: Tensor
    let backend: any Backend

    /// Splits `moments` [B, 2 · latent_channels, h, w] (the output of `quant_conv`) into mean and
    /// log-variance along the channels (`torch.chunk(parameters, 2, dim=1)`), and clamps the log-variance.
    public init(moments: Tensor, backend: any Backend) {
        require(moments.rank == 4 && moments.size(1) % 2 == 0,
                     "DiagonalGaussianDistribution: moments must be [B, 2·C, h, w], got \(moments.shape)")
        let halves = moments.chunked(2, dim: 1)
        self.backend = backend
        mean = backend.contiguous(halves[0])
        logvar = backend.cast(backend.clamp(backend.cast(halves[1], to: .f32), lower: -30, upper: 20), to: moments.dtype)
    }

    /// `exp(0.5 · logvar)` (computed in f32, in logvar's dtype).
    public var std: Tensor {
        backend.cast(backend.activation(backend.scale(backend.cast(logvar, to: .f32), by: 0.5), .exp), to: logvar.dtype)
    }

    /// The distribution's mode, which is its mean (diffusers `mode()`, what `argmax` latent sampling uses).
    public var mode: Tensor { mean }

    /// `mean + std · noise` (diffusers `sample(generator)`, which draws `noise` with
    /// `randn_tensor(mean.shape, generator)`; draw it with the pipeline's torch-compatible random source
    /// to get diffusers' latents). noise: [B, latent_channels, h, w] → same shape, `mean`'s dtype.
    public func sample(noise: Tensor) -> Tensor {
        require(noise.shape == mean.shape,
                     "DiagonalGaussianDistribution.sample: noise \(noise.shape) must have the mean's shape \(mean.shape)")
        return backend.add(mean, backend.mul(std, backend.cast(noise, to: mean.dtype)))
    }
}

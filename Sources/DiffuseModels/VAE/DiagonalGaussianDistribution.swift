import DiffuseCore

/// diffusers `DiagonalGaussianDistribution` (models/autoencoders/vae.py): the posterior
/// `AutoencoderKL` encodes an image to, N(mean, exp(logvar)), per latent element.
///
/// `logvar` is clamped to [-30, 20] as diffusers does. The clamp and `std` run on the host: they touch
/// one latent-sized map (B × 4 × H/8 × W/8), not worth a kernel.
public struct DiagonalGaussianDistribution: Sendable {
    /// [B, latent_channels, h, w].
    public let mean: Tensor
    /// [B, latent_channels, h, w], clamped to [-30, 20].
    public let logvar: Tensor

    /// Splits `moments` [B, 2 · latent_channels, h, w] (the output of `quant_conv`) into mean and
    /// log-variance along the channels (`torch.chunk(parameters, 2, dim=1)`), and clamps the log-variance.
    public init(moments: Tensor) {
        require(moments.rank == 4 && moments.size(1) % 2 == 0,
                     "DiagonalGaussianDistribution: moments must be [B, 2·C, h, w], got \(moments.shape)")
        let halves = moments.chunked(2, dim: 1)
        mean = halves[0].contiguous()
        logvar = Self.mapOnHost(halves[1]) { min(max($0, -30), 20) }
    }

    /// `exp(0.5 · logvar)`.
    public var std: Tensor { Self.mapOnHost(logvar) { expf(0.5 * $0) } }

    /// The distribution's mode, which is its mean (diffusers `mode()`, what `argmax` latent sampling uses).
    public var mode: Tensor { mean }

    /// `mean + std · noise` (diffusers `sample(generator)`, which draws `noise` with
    /// `randn_tensor(mean.shape, generator)`; draw it with the pipeline's torch-compatible random source
    /// to get diffusers' latents). noise: [B, latent_channels, h, w] → same shape, `mean`'s dtype.
    public func sample(noise: Tensor, backend: any Backend) -> Tensor {
        require(noise.shape == mean.shape,
                     "DiagonalGaussianDistribution.sample: noise \(noise.shape) must have the mean's shape \(mean.shape)")
        return backend.add(mean, backend.mul(std, noise.converted(to: mean.dtype)))
    }

    /// `f` applied to every element, computed in f32, returned in `x`'s dtype (a new tensor).
    private static func mapOnHost(_ x: Tensor, _ f: (Float) -> Float) -> Tensor {
        let values = Tensor(zeros: x.shape, dtype: .f32)
        values.assign(x.converted(to: .f32))
        let p = values.pointer(as: Float.self)
        for i in 0..<values.count { p[i] = f(p[i]) }
        return values.converted(to: x.dtype)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import DiffuseCore

/// Where initial latents and the noise of ancestral / SDE scheduler steps come from.
///
/// A source is a value: copying it copies its state, so a copy replays the same numbers. Successive
/// calls continue one stream, as successive `torch.randn(…, generator=g)` calls with one generator do
/// (diffusers draws the initial latents and then every ancestral step's noise from the same `g`).
public protocol RandomSource {
    /// `count` samples of the standard normal distribution: the elements of
    /// `torch.randn(shape, generator=g)` for a contiguous float32 tensor of `count` elements, in
    /// row-major order. (The result depends on `count` as a whole, not only on the number of draws:
    /// torch uses a different algorithm below 16 elements.)
    mutating func normal(count: Int) -> [Float]

    /// `count` samples uniform in [0, 1): `torch.rand(shape, generator=g)` (float32).
    mutating func uniform(count: Int) -> [Float]
}

extension RandomSource {
    /// `torch.randn(shape, generator=g)` as a float32 tensor.
    public mutating func randn(_ shape: [Int]) -> Tensor {
        Tensor(normal(count: shape.reduce(1, *)), shape: shape)
    }

    /// `torch.rand(shape, generator=g)` as a float32 tensor.
    public mutating func rand(_ shape: [Int]) -> Tensor {
        Tensor(uniform(count: shape.reduce(1, *)), shape: shape)
    }
}

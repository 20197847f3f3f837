import DiffuseCore
import DiffuseNN

/// diffusers `FeedForward` (models/attention.py) with `activation_fn="geglu"`, `mult=4`, as in every SD
/// transformer block: `net.0` is `GEGLU` (one projection `net.0.proj` to 2·inner channels, split into
/// h and gate, h·gelu(gate)), `net.1` is dropout (inference: nothing), `net.2` the output projection.
public struct FeedForward: Sendable {
    /// `ff.net.0.proj`: dim → 2·inner (GEGLU's hidden and gate halves, in that order).
    let geluProjection: Linear
    /// `ff.net.2`: inner → dim.
    let outProjection: Linear
    let backend: any Backend

    public init(_ scope: WeightScope, dim: Int, mult: Int = 4) {
        let inner = dim * mult
        geluProjection = Linear(scope["net"][0]["proj"], inFeatures: dim, outFeatures: inner * 2)
        outProjection = Linear(scope["net"][2], inFeatures: inner, outFeatures: dim)
        backend = scope.backend
    }

    /// x: [B, L, dim] → [B, L, dim].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        // [B, L, 2·inner] → GEGLU → [B, L, inner]
        outProjection(backend.geglu(geluProjection(x)))
    }
}

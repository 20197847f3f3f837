import DiffuseCore
import DiffuseNN

/// diffusers `Timesteps` (models/embeddings.py): the sinusoidal projection of the timesteps, no weights.
/// `time_proj` in the UNet: `get_timestep_embedding(t, block_out_channels[0], flip_sin_to_cos, freq_shift)`.
public struct Timesteps: Sendable {
    public let channels: Int
    public let flipSinToCos: Bool
    public let freqShift: Float
    let backend: any Backend

    public init(channels: Int, flipSinToCos: Bool, freqShift: Float, backend: any Backend) {
        self.channels = channels
        self.flipSinToCos = flipSinToCos
        self.freqShift = freqShift
        self.backend = backend
    }

    /// timesteps: [N] (any numeric dtype) → [N, channels] f32 (diffusers casts to the sample dtype afterwards).
    public func callAsFunction(_ timesteps: Tensor) -> Tensor {
        backend.timestepEmbedding(timesteps, dim: channels, flipSinToCos: flipSinToCos, freqShift: freqShift)
    }
}

/// diffusers `TimestepEmbedding` (models/embeddings.py) with `act_fn="silu"`, no `cond_proj`, no
/// `post_act`: `linear_2(silu(linear_1(t_emb)))`. Keys `linear_1`, `linear_2`.
public struct TimestepEmbedding: Sendable {
    let linear1: Linear
    let linear2: Linear
    let backend: any Backend

    public init(_ scope: WeightScope, inChannels: Int, timeEmbedDim: Int) {
        linear1 = Linear(scope["linear_1"], inFeatures: inChannels, outFeatures: timeEmbedDim)
        linear2 = Linear(scope["linear_2"], inFeatures: timeEmbedDim, outFeatures: timeEmbedDim)
        backend = scope.backend
    }

    /// sample: [N, inChannels] → [N, timeEmbedDim].
    public func callAsFunction(_ sample: Tensor) -> Tensor {
        linear2(backend.activation(linear1(sample), .silu))
    }
}

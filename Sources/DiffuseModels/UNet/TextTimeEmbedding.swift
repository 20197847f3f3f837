import DiffuseCore
import DiffuseNN

/// The UNet's `addition_embed_type: "text_time"` embedding (SDXL), as `UNet2DConditionModel.get_aug_embed`
/// (diffusers/models/unets/unet_2d_condition.py) computes it from two modules of models/embeddings.py:
///
///     time_embeds = add_time_proj(time_ids.flatten())     Timesteps(addition_time_embed_dim), no weights:
///                                                          [B, n] → [B·n, d] (f32) → [B, n·d]
///     add_embeds  = cat([text_embeds, time_embeds], -1)   [B, P + n·d] = projection_class_embeddings_input_dim,
///                                                          in f32, then cast to the compute dtype
///     aug_emb     = add_embedding(add_embeds)             TimestepEmbedding: linear_1, silu, linear_2 → [B, temb]
///
/// The UNet adds `aug_emb` to the time embedding before the blocks.
public struct TextTimeEmbedding: Sendable {
    /// `add_time_proj`: the sinusoidal embedding of each time id.
    let timeProj: Timesteps
    /// `add_embedding`: projection_class_embeddings_input_dim → time_embed_dim.
    let embedding: TimestepEmbedding
    /// `projection_class_embeddings_input_dim`.
    public let inputWidth: Int
    let backend: any Backend

    /// - Parameters: `scope` the UNet's root (the weights are `add_embedding.linear_{1,2}.*`), `timeIdWidth`
    ///   = `addition_time_embed_dim`, `inputWidth` = `projection_class_embeddings_input_dim`,
    ///   `timeEmbedDim` the UNet's time embedding width; `flipSinToCos` and `freqShift` as the UNet's.
    public init(_ scope: WeightScope, timeIdWidth: Int, inputWidth: Int, timeEmbedDim: Int,
                flipSinToCos: Bool, freqShift: Float) {
        timeProj = Timesteps(channels: timeIdWidth, flipSinToCos: flipSinToCos, freqShift: freqShift,
                             backend: scope.backend)
        embedding = TimestepEmbedding(scope["add_embedding"], inChannels: inputWidth, timeEmbedDim: timeEmbedDim)
        self.inputWidth = inputWidth
        backend = scope.backend
    }

    /// textEmbeds [B, P], timeIds [B, n] (on the backend's device; P + n·d = `inputWidth`, checked by the
    /// UNet's forward) → [B, timeEmbedDim] in `dtype`. `observe` sees `add_time_proj` ([B·n, d]) and
    /// `add_embedding` ([B, temb]).
    public func callAsFunction(textEmbeds: Tensor, timeIds: Tensor, dtype: DType,
                               observe: ((String, Tensor) -> Void)? = nil) -> Tensor {
        let batch = timeIds.size(0)
        // time_ids.flatten(): [B, n] → [B·n], floating ids in f32 (get_timestep_embedding's `.float()`)
        let ids = timeIds.dtype.isFloatingPoint ? backend.cast(timeIds, to: .f32) : backend.contiguous(timeIds)
        let timeEmbeds = timeProj(ids.reshaped([-1]))
        observe?("add_time_proj", timeEmbeds)
        // [B·n, d] → [B, n·d]; ++ text → [B, P + n·d] in f32, then the compute dtype
        let text = backend.cast(textEmbeds, to: .f32)
        let joined = backend.concat([text, timeEmbeds.reshaped([batch, -1])], dim: 1)
        let aug = embedding(backend.cast(joined, to: dtype))
        observe?("add_embedding", aug)
        return aug
    }
}

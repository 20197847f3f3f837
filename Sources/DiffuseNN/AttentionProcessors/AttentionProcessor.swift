import DiffuseCore

/// Turns projected queries, keys and values into the attention output. Processors do nothing else:
/// projections, head split/merge, norms and residuals live once, in `Attention`.
/// (The diffusers idea of `set_attn_processor`, without its 58 copies of the surrounding code.)
public protocol AttentionProcessor: Sendable {
    /// Short name, as listed by `attentionProcessors` (e.g. "vanilla", "sliced(2)", "sdpa").
    var name: String { get }

    /// query [B, H, Lq, D], key and value [B, H, Lkv, D] (views; any strides) → [B, H, Lq, D].
    /// `mask` broadcasts to [B, H, Lq, Lkv]: floating = added to the scores, integer = keep where ≠ 0.
    func attend(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, scale: Float,
                options: AttentionOptions, backend: any Backend) throws -> Tensor
}

/// Per-layer facts a processor must honour (from the model config).
public struct AttentionOptions: Sendable, Equatable {
    /// Compute the scores q·kᵀ in f32 even for f16/bf16 inputs (diffusers `upcast_attention`).
    public var upcastAttention: Bool
    /// Compute the softmax in f32 (diffusers `upcast_softmax`).
    public var upcastSoftmax: Bool
    /// Mask out keys after the query position (CLIP's text encoder).
    public var isCausal: Bool

    public init(upcastAttention: Bool = false, upcastSoftmax: Bool = false, isCausal: Bool = false) {
        self.upcastAttention = upcastAttention
        self.upcastSoftmax = upcastSoftmax
        self.isCausal = isCausal
    }
}

import DiffuseCore

/// diffusers `Attention` (models/attention_processor.py) as Stable Diffusion uses it, written once:
/// projections `to_q`, `to_k`, `to_v`, `to_out.0`, head split and merge, the VAE's optional group norm on
/// [B, C, H, W] inputs, residual connection and output rescale. What happens between the projections —
/// scores, softmax, weighted sum — is the `processor`'s job, and the processor can be swapped per layer.
public final class Attention: @unchecked Sendable {
    /// The diffusers layer name, e.g. `down_blocks.1.attentions.0.transformer_blocks.0.attn1`.
    public let name: String
    public let heads: Int
    public let headDim: Int
    public let scale: Float
    public let options: AttentionOptions
    public let isCrossAttention: Bool
    let toQ: Linear, toK: Linear, toV: Linear, toOut: Linear
    let groupNorm: GroupNorm?
    let residualConnection: Bool
    let rescaleOutputFactor: Float
    let backend: any Backend
    private let lock = Lock()
    private var _processor: any AttentionProcessor

    /// - Parameters mirror diffusers' `Attention.__init__`: `queryDim` channels in, `crossAttentionDim`
    ///   the context's channels (nil = self-attention), `heads` × `dimHead` inner channels, `bias` on
    ///   q/k/v, `groupNormGroups` for the VAE's built-in norm, `residualConnection` / `rescaleOutputFactor`.
    ///   `projectionKeys` names the four projections in the checkpoint (nil: diffusers' names, or the
    ///   legacy VAE names where only those exist); `name` is the layer name `attentionProcessors` lists
    ///   (default: the weight path).
    public init(_ scope: WeightScope, queryDim: Int, crossAttentionDim: Int? = nil, heads: Int, dimHead: Int,
                bias: Bool = false, outBias: Bool = true, options: AttentionOptions = AttentionOptions(),
                groupNormGroups: Int? = nil, eps: Float = 1e-5, residualConnection: Bool = false,
                rescaleOutputFactor: Float = 1, projectionKeys: AttentionProjectionKeys? = nil, name: String? = nil,
                processor: any AttentionProcessor = ScaledDotProductAttention()) {
        let inner = heads * dimHead
        let contextDim = crossAttentionDim ?? queryDim
        self.name = name ?? scope.path
        let keys = projectionKeys ?? AttentionProjectionKeys.detect(in: scope)
        self.heads = heads
        headDim = dimHead
        scale = 1 / Float(dimHead).squareRoot()
        self.options = options
        isCrossAttention = crossAttentionDim != nil
        toQ = Linear(scope[path: keys.query], inFeatures: queryDim, outFeatures: inner, bias: bias)
        toK = Linear(scope[path: keys.key], inFeatures: contextDim, outFeatures: inner, bias: bias)
        toV = Linear(scope[path: keys.value], inFeatures: contextDim, outFeatures: inner, bias: bias)
        toOut = Linear(scope[path: keys.out], inFeatures: inner, outFeatures: queryDim, bias: outBias)
        groupNorm = groupNormGroups.map { GroupNorm(scope["group_norm"], groups: $0, channels: queryDim, eps: eps) }
        self.residualConnection = residualConnection
        self.rescaleOutputFactor = rescaleOutputFactor
        backend = scope.backend
        _processor = processor
    }

    /// The processor this layer runs (safe to change between calls).
    public var processor: any AttentionProcessor {
        get { lock.withLock { _processor } }
        set { lock.withLock { _processor = newValue } }
    }

    /// hidden: [B, L, queryDim] or [B, C, H, W] (VAE); context: [B, Lc, crossAttentionDim] or nil;
    /// mask: broadcastable to [B, heads, L, Lc]. Returns the input's shape.
    public func callAsFunction(_ hidden: Tensor, context: Tensor? = nil, mask: Tensor? = nil) throws -> Tensor {
        let residual = hidden
        let spatial = hidden.rank == 4 ? Array(hidden.shape[2...]) : nil
        var x = hidden
        if let groupNorm { x = groupNorm(x) }
        if let spatial {
            // [B, C, H, W] → [B, H·W, C]
            x = x.reshaped([x.size(0), x.size(1), spatial[0] * spatial[1]]).transposed(1, 2)
        }
        let source = context ?? x
        // [B, L, heads·D] → [B, heads, L, D] (views)
        let q = splitHeads(toQ(x)), k = splitHeads(toK(source)), v = splitHeads(toV(source))
        let attended = try processor.attend(query: q, key: k, value: v, mask: mask, scale: scale,
                                            options: options, backend: backend)
        // [B, heads, L, D] → [B, L, heads·D]
        let merged = backend.contiguous(attended.permuted([0, 2, 1, 3])).reshaped([attended.size(0), attended.size(2), heads * headDim])
        var out = toOut(merged)
        if let spatial {
            // [B, H·W, C] → [B, C, H, W]
            out = backend.contiguous(out.transposed(1, 2)).reshaped([out.size(0), out.size(2), spatial[0], spatial[1]])
        }
        if residualConnection { out = backend.add(out, residual) }
        if rescaleOutputFactor != 1 { out = backend.scale(out, by: 1 / rescaleOutputFactor) }
        return out
    }

    private func splitHeads(_ x: Tensor) -> Tensor {
        x.reshaped([x.size(0), x.size(1), heads, headDim]).permuted([0, 2, 1, 3])
    }
}

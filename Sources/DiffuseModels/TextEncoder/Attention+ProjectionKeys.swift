import DiffuseCore
import DiffuseNN

/// The checkpoint names of an attention layer's four projections. diffusers calls them `to_q`, `to_k`,
/// `to_v`, `to_out.0`; transformers' CLIP (`modeling_clip.py`, `CLIPAttention`) calls them `q_proj`,
/// `k_proj`, `v_proj`, `out_proj`.
public struct AttentionProjectionKeys: Sendable, Equatable {
    public var query: String, key: String, value: String, out: String

    public init(query: String, key: String, value: String, out: String) {
        self.query = query
        self.key = key
        self.value = value
        self.out = out
    }

    /// transformers' CLIP names.
    public static let clip = AttentionProjectionKeys(query: "q_proj", key: "k_proj", value: "v_proj", out: "out_proj")
}

extension Attention {
    /// A self-attention layer whose projections are stored under other names than diffusers' (`to_q` …),
    /// e.g. CLIP's `q_proj` … `out_proj` (all with biases).
    ///
    /// The four Linears are read from `scope` under `keys`, so the model's `WeightStore` records the
    /// checkpoint's real keys (its key check names them verbatim). They are then handed, without a copy,
    /// to `Attention`'s own initialiser through a small in-memory store under diffusers' names: the
    /// projections, head split/merge and the processor call stay the code of `Attention`, written once.
    ///
    /// `name` is the layer name listed by `attentionProcessors` (independent of the checkpoint's prefix).
    public convenience init(_ scope: WeightScope, projectionKeys keys: AttentionProjectionKeys, name: String,
                            dim: Int, heads: Int, options: AttentionOptions,
                            processor: any AttentionProcessor = VanillaAttention()) {
        precondition(heads > 0 && dim % heads == 0, "Attention \(name): \(dim) channels do not split into \(heads) heads")
        let projections = [("to_q", keys.query), ("to_k", keys.key), ("to_v", keys.value), ("to_out.0", keys.out)]
        var renamed: [String: Tensor] = [:]
        for (diffusersName, checkpointName) in projections {
            // weight [dim, dim], bias [dim]; shape and presence are checked by the model's store.
            let linear = Linear(scope[checkpointName], inFeatures: dim, outFeatures: dim, bias: true)
            renamed["\(name).\(diffusersName).weight"] = linear.weight
            renamed["\(name).\(diffusersName).bias"] = linear.bias
        }
        let alias = WeightStore(tensors: renamed, dtype: nil, source: scope.store.source)
        self.init(WeightScope(alias, backend: scope.backend, prefix: name + "."), queryDim: dim, heads: heads,
                  dimHead: dim / heads, bias: true, outBias: true, options: options, processor: processor)
    }
}

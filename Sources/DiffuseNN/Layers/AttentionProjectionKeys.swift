/// The checkpoint names of an attention layer's four projections, which differ between libraries.
public struct AttentionProjectionKeys: Sendable, Equatable {
    public var query: String, key: String, value: String, out: String

    public init(query: String, key: String, value: String, out: String) {
        self.query = query
        self.key = key
        self.value = value
        self.out = out
    }

    /// diffusers' names (`attention_processor.py`, `Attention`).
    public static let diffusers = AttentionProjectionKeys(query: "to_q", key: "to_k", value: "to_v", out: "to_out.0")
    /// The names of diffusers' deprecated attention block, still in many VAE checkpoints.
    public static let legacyVAE = AttentionProjectionKeys(query: "query", key: "key", value: "value", out: "proj_attn")
    /// transformers' CLIP names (`modeling_clip.py`, `CLIPAttention`).
    public static let clip = AttentionProjectionKeys(query: "q_proj", key: "k_proj", value: "v_proj", out: "out_proj")

    /// The layout a checkpoint uses at `scope`: diffusers' unless only the legacy VAE names are present.
    public static func detect(in scope: WeightScope) -> AttentionProjectionKeys {
        !scope.contains("to_q.weight") && scope.contains("query.weight") ? .legacyVAE : .diffusers
    }
}

extension WeightScope {
    /// The child scope of a dotted path such as `to_out.0`.
    public subscript(path path: String) -> WeightScope {
        path.split(separator: ".").reduce(self) { $0[String($1)] }
    }
}

import DiffuseCore
import DiffuseNN

/// transformers `CLIPTextEmbeddings` (models/clip/modeling_clip.py): token embedding + learned
/// position embedding. Keys `token_embedding.weight` [vocab, hidden], `position_embedding.weight`
/// [max_positions, hidden]. The checkpoint's `position_ids` buffer (always `arange`) is not used:
/// positions are 0..<L.
struct CLIPTextEmbeddings: Sendable {
    let tokenEmbedding: Embedding
    let positionEmbedding: Embedding
    let backend: any Backend

    init(_ scope: WeightScope, config: CLIPTextConfig) {
        tokenEmbedding = Embedding(scope["token_embedding"], count: config.vocabSize, dim: config.hiddenSize)
        positionEmbedding = Embedding(scope["position_embedding"], count: config.maxPositionEmbeddings,
                                      dim: config.hiddenSize)
        backend = scope.backend
    }

    /// The compute dtype: the position table's. The token table (49,408 rows, of which a prompt reads 77)
    /// may be held in a narrower dtype (the pipeline's f16 / bf16 modes keep it memory-mapped); its rows
    /// are widened after the gather.
    var dtype: DType { positionEmbedding.weight.dtype }

    /// ids [B, L] (i32/i64, already range-checked) → [B, L, hidden] in `dtype`.
    func callAsFunction(_ ids: Tensor) -> Tensor {
        let tokens = backend.cast(tokenEmbedding(ids), to: dtype)                       // [B, L, hidden]
        let positions = positionEmbedding.weight.sliced(dim: 0, 0..<ids.size(1))   // [L, hidden], rows 0..<L
        return backend.add(tokens, positions)
    }
}

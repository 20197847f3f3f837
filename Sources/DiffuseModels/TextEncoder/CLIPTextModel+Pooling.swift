import DiffuseCore

/// The pooled output of transformers' `CLIPTextModel.forward` (models/clip/modeling_clip.py).
extension CLIPTextModel {
    /// The position pooled in each row of `ids` [B, L] (contiguous integers):
    /// - config `eos_token_id` == 2 (SD 1.x / 2.x configs, saved before transformers PR #24773): the first
    ///   position of the row's largest id (`input_ids.argmax(-1)`; `<|endoftext|>` is the largest id);
    /// - otherwise the first position holding `eos_token_id` (the first of a list), 0 when there is none
    ///   (what `(ids == eos).int().argmax(-1)` gives). A config without `eos_token_id` uses the first rule.
    public func poolingPositions(_ ids: Tensor) -> [Int] {
        let (batch, length) = (ids.size(0), ids.size(1))
        let values = ids.toHost().hostContiguous()
        let eos = config.poolsAtArgmaxTokenId ? nil : config.eosTokenIds.first
        return (0..<batch).map { b in
            let row = (0..<length).map { values.scalar(atFlat: b * length + $0) }
            if let eos { return row.firstIndex(of: Double(eos)) ?? 0 }
            var best = 0
            for (i, id) in row.enumerated() where id > row[best] { best = i }
            return best
        }
    }

    /// last [B, L, hidden], ids [B, L] → [B, hidden].
    func pooled(_ last: Tensor, ids: Tensor) -> Tensor {
        let rows = poolingPositions(ids).enumerated().map { b, position in
            last.sliced(dim: 0, b..<b + 1).sliced(dim: 1, position..<position + 1).squeezed(1)   // [1, hidden]
        }
        return backend.concat(rows, dim: 0)
    }
}

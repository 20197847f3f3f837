import DiffuseCore

/// Checks of the caller's input, so a bad call is a thrown error naming the value, never a crash.
extension CLIPTextModel {
    /// ids [B, L] or [L] of i32/i64, 1 ≤ L ≤ max_position_embeddings, every id in 0..<vocab_size → [B, L]
    /// in host memory (token ids come from the tokenizer on the host; ids on a device are downloaded).
    func checkedInputIds(_ ids: Tensor) throws -> Tensor {
        guard ids.dtype == .i32 || ids.dtype == .i64 else {
            throw CLIPTextModelError(.invalidInputIds, "token ids must be i32 or i64, got \(ids.dtype)")
        }
        guard ids.rank == 1 || ids.rank == 2 else {
            throw CLIPTextModelError(.invalidInputIds, "token ids must have shape [batch, length] or [length], got \(ids.shape)")
        }
        let host = ids.toHost().hostContiguous()
        let rows = ids.rank == 2 ? host : host.reshaped([1, ids.size(0)])
        let (batch, length) = (rows.size(0), rows.size(1))
        guard batch >= 1, length >= 1, length <= config.maxPositionEmbeddings else {
            throw CLIPTextModelError(.invalidInputIds, "token ids \(ids.shape): the length must be 1…\(config.maxPositionEmbeddings) "
                                     + "(max_position_embeddings) and the batch at least 1")
        }
        for i in 0..<rows.count {
            let id = rows.scalar(atFlat: i)
            if id < 0 || id >= Double(config.vocabSize) {
                throw CLIPTextModelError(.invalidInputIds, "token id \(Int(id)) at [\(i / length), \(i % length)] "
                                         + "is outside the vocabulary 0..<\(config.vocabSize) (vocab_size)")
            }
        }
        return rows
    }

    /// diffusers indexes `hidden_states[-(clip_skip + 1)]`, which exists for 0…num_hidden_layers.
    func checkClipSkip(_ clipSkip: Int) throws {
        guard (0...config.numHiddenLayers).contains(clipSkip) else {
            throw CLIPTextModelError(.invalidClipSkip, "clipSkip \(clipSkip) is outside 0…\(config.numHiddenLayers) "
                                     + "(num_hidden_layers; 0 = the last layer)")
        }
    }
}

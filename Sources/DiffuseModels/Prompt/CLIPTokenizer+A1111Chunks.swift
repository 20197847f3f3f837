/// A1111's long, weighted prompts: `FrozenCLIPEmbedderWithCustomWordsBase.tokenize_line` and the padding of
/// `process_tokens` (stable-diffusion-webui modules/sd_hijack_clip.py), with A1111's default
/// `comma_padding_backtrack` of 20. Checked against Fixtures/prompt-syntax/chunks.json.
extension CLIPTokenizer {
    /// How many tokens of a prompt a chunk holds: 75 (`maxLength` − 2).
    public var chunkLength: Int { maxLength - 2 }

    /// A1111's `comma_padding_backtrack`: when a chunk is full and a comma is among its last this many
    /// tokens, the text after the comma moves to the next chunk.
    public static let commaBacktrack = 20

    /// The parsed prompt (`A1111PromptParser.parse`) in chunks of `chunkLength` tokens. Each piece is
    /// tokenized on its own, without special tokens; its tokens get its weight. A `BREAK` closes the current
    /// chunk. At a full chunk, when the last comma is at most `commaBacktrack` tokens back, the tokens after it
    /// move to the next chunk. Each chunk: `<|startoftext|>`, its tokens, `<|endoftext|>` up to 76 ids and one
    /// more, then every id after the first `<|endoftext|>` becomes the pad id (A1111's `id_pad`: the same id
    /// for SD 1 and SDXL's CLIP-L, 0 for OpenCLIP; these are the pad tokens of diffusers' tokenizers).
    /// An empty prompt is one chunk.
    public func a1111Chunks(_ pieces: [WeightedText]) -> [PromptChunk] {
        let comma = id(for: ",</w>")
        var chunks: [PromptChunk] = []
        var ids: [Int] = [], weights: [Double] = []
        var lastComma = -1
        func close() {
            let fill = chunkLength - ids.count
            var chunkIDs = [bosTokenID] + ids + Array(repeating: eosTokenID, count: max(fill, 0) + 1)
            if let first = chunkIDs.firstIndex(of: eosTokenID) {
                for p in (first + 1)..<chunkIDs.count { chunkIDs[p] = padTokenID }
            }
            chunks.append(PromptChunk(ids: chunkIDs, multipliers: [1] + weights + Array(repeating: 1, count: max(fill, 0) + 1)))
            ids = []; weights = []; lastComma = -1
        }
        for piece in pieces {
            if piece.isBreak { close(); continue }
            for token in encode(piece.text) {
                if token == comma {
                    lastComma = ids.count
                } else if ids.count == chunkLength, lastComma != -1, ids.count - lastComma <= Self.commaBacktrack {
                    let keep = lastComma + 1
                    let (movedIDs, movedWeights) = (Array(ids[keep...]), Array(weights[keep...]))
                    ids.removeSubrange(keep...); weights.removeSubrange(keep...)
                    close()
                    (ids, weights) = (movedIDs, movedWeights)
                }
                if ids.count == chunkLength { close() }
                ids.append(token)
                weights.append(piece.weight)
            }
        }
        if !ids.isEmpty || chunks.isEmpty { close() }
        return chunks
    }

    /// The chunk of the empty prompt (`[BOS, EOS, pad…]`), what A1111's `empty_chunk` encodes as.
    public var emptyA1111Chunk: PromptChunk { a1111Chunks([WeightedText("", 1)])[0] }
}

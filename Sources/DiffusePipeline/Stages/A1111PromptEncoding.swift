import DiffuseCore
import DiffuseModels

/// The text-encoder side of AUTOMATIC1111's prompt syntax (stable-diffusion-webui modules/sd_hijack_clip.py
/// `FrozenCLIPEmbedderWithCustomWordsBase.forward` / `process_tokens`, modules/sd_emphasis.py
/// `EmphasisOriginal`), shared by `CLIPPromptEncoder` and `SDXLPromptEncoder`:
///
/// - every text is parsed (`A1111PromptParser`) and cut into 77-id chunks (`CLIPTokenizer.a1111Chunks`);
/// - the texts encoded together (negative and prompt) get the same number of chunks: the shorter ones are
///   padded with the empty prompt's chunk. (A1111 does this for the texts of one batch, and for the two
///   halves of guidance with its "pad prompt/negative prompt" option; without it A1111 runs the halves
///   through the UNet separately. One UNet batch needs one length.)
/// - each chunk goes through the text encoder on its own (one batch row), is scaled by its multipliers and
///   its mean restored (`PromptChunk.emphasized`); a text's chunks are concatenated on the sequence axis.
enum A1111PromptEncoding {
    /// texts → their chunks, unpadded. Throws `PromptSyntaxError` for an unreadable weight.
    static func chunks(_ texts: [String], tokenizer: CLIPTokenizer) throws -> [[PromptChunk]] {
        try texts.map { tokenizer.a1111Chunks(try A1111PromptParser.parse($0)) }
    }

    /// Each list padded with `tokenizer.emptyA1111Chunk` to `count` chunks.
    static func padded(_ lists: [[PromptChunk]], to count: Int, tokenizer: CLIPTokenizer) -> [[PromptChunk]] {
        lists.map { $0 + Array(repeating: tokenizer.emptyA1111Chunk, count: max(count - $0.count, 0)) }
    }

    /// chunks [T][k] (all k long) → ids [T·k, 77] (i64), text-major.
    static func inputIds(_ chunks: [[PromptChunk]]) -> Tensor {
        let rows = chunks.flatMap { $0 }
        return Tensor(ids: rows.flatMap(\.ids), shape: [rows.count, rows.first?.ids.count ?? 0])
    }

    /// The encoder's output for `inputIds(chunks)`, hidden [T·k, 77, H], with each row emphasized by its
    /// chunk → [T, 77·k, H] (f32 on `backend`): the rows of one text are already adjacent.
    static func emphasized(_ hidden: Tensor, chunks: [[PromptChunk]], backend: any Backend) -> Tensor {
        let (length, width) = (hidden.size(1), hidden.size(2))
        let values = backend.cast(hidden, to: .f32).toHost().hostContiguous().floats()
        var out: [Float] = []
        out.reserveCapacity(values.count)
        for (row, chunk) in chunks.flatMap({ $0 }).enumerated() {
            let start = row * length * width
            out.append(contentsOf: chunk.emphasized(values[start..<(start + length * width)], hidden: width))
        }
        let k = chunks.first?.count ?? 0
        return backend.upload(Tensor(out, shape: [chunks.count, length * k, width]))   // [T, 77k, H]
    }
}

/// One chunk of an A1111-style prompt (stable-diffusion-webui modules/sd_hijack_clip.py `PromptChunk`):
/// exactly `maxLength` (77) token ids — `<|startoftext|>`, up to 75 prompt tokens, `<|endoftext|>`, the
/// tokenizer's pad id — and one emphasis multiplier per id (1 for the special and pad tokens).
public struct PromptChunk: Sendable, Equatable {
    public var ids: [Int]
    public var multipliers: [Double]

    public init(ids: [Int], multipliers: [Double]) {
        self.ids = ids
        self.multipliers = multipliers
    }

    /// A1111's `EmphasisOriginal.after_transformers` (modules/sd_emphasis.py) on this chunk's encoder output
    /// z [77, hidden] (row-major): every token's row times its multiplier (as f32, as A1111's multiplier
    /// tensor), then the whole chunk times mean(z before) / mean(z after). Means are summed in Double.
    public func emphasized(_ z: ArraySlice<Float>, hidden: Int) -> [Float] {
        let originalMean = Self.mean(z)
        var out = [Float](repeating: 0, count: z.count)
        for (t, multiplier) in multipliers.enumerated() {
            let m = Float(multiplier)
            for h in 0..<hidden { out[t * hidden + h] = z[z.startIndex + t * hidden + h] * m }
        }
        let ratio = originalMean / Self.mean(out[...])
        for i in out.indices { out[i] *= ratio }
        return out
    }

    static func mean(_ values: ArraySlice<Float>) -> Float {
        Float(values.reduce(0.0) { $0 + Double($1) } / Double(max(values.count, 1)))
    }
}

/// A prompt as the text encoder takes it: `<|startoftext|>`, the prompt's tokens, `<|endoftext|>`,
/// then the pad id up to `maxLength` (77) — `tokenizer(prompt, padding="max_length", max_length=77,
/// truncation=True)` in diffusers' `encode_prompt`.
///
/// A prompt longer than `maxLength - 2` tokens keeps its first `maxLength - 2` tokens (and the final
/// `<|endoftext|>`); the rest is reported in `droppedTokenCount` / `droppedText` so that the caller can
/// warn as diffusers does ("The following part of your input was truncated because CLIP can only handle
/// sequences up to 77 tokens: …").
public struct TokenizedPrompt: Sendable, Equatable {
    /// Exactly `maxLength` ids.
    public var ids: [Int]
    /// How many of `ids` are not padding: the kept prompt tokens + 2.
    public var tokenCount: Int
    /// Prompt tokens cut off by truncation (0 when the prompt fits).
    public var droppedTokenCount: Int
    /// The dropped tokens decoded (`tokenizer.batch_decode(untruncated_ids[:, 76:-1])` in diffusers);
    /// empty when nothing was dropped.
    public var droppedText: String

    public init(ids: [Int], tokenCount: Int, droppedTokenCount: Int = 0, droppedText: String = "") {
        self.ids = ids
        self.tokenCount = tokenCount
        self.droppedTokenCount = droppedTokenCount
        self.droppedText = droppedText
    }

    public var maxLength: Int { ids.count }
    public var wasTruncated: Bool { droppedTokenCount > 0 }

    /// 1 for the `tokenCount` real tokens, 0 for padding (transformers' `attention_mask`; SD's text
    /// encoders ignore it).
    public var attentionMask: [Int] {
        Array(repeating: 1, count: tokenCount) + Array(repeating: 0, count: ids.count - tokenCount)
    }

    /// diffusers' warning for a truncated prompt, or nil when nothing was dropped. (diffusers prints the
    /// dropped text as a Python list, `['…']`; this gives the text itself.)
    public var truncationWarning: String? {
        guard wasTruncated else { return nil }
        return "\(droppedTokenCount) token\(droppedTokenCount == 1 ? "" : "s") dropped: the following part of your "
            + "input was truncated because CLIP can only handle sequences up to \(maxLength) tokens: \(droppedText)"
    }
}

/// How prompts are read (`GenerationConfiguration.promptSyntax`, `diffuse generate --prompt-syntax`).
public enum PromptSyntax: String, Sendable, CaseIterable {
    /// diffusers': the text as it is, cut at 77 tokens (with a warning naming what was cut).
    case plain
    /// AUTOMATIC1111's: `(word:1.3)`, `(word)`, `[word]`, `\(` escapes and `BREAK`, any length in 75-token
    /// chunks, weights scaling the token embeddings with the mean restored (see `A1111PromptEncoding`).
    case a1111
}

/// Stage 1: the prompt (and negative prompt) of a configuration → `Conditioning`.
public protocol PromptEncoding: Sendable {
    func encode(_ config: GenerationConfiguration) throws -> Conditioning
}

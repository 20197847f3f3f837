/// Stage 1: the prompt (and negative prompt) of a configuration → `Conditioning`, for an image of `size`
/// pixels (validated; SDXL's time ids carry it).
public protocol PromptEncoding: Sendable {
    func encode(_ config: GenerationConfiguration, size: (width: Int, height: Int)) throws -> Conditioning
}

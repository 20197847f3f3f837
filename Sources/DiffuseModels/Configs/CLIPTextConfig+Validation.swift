/// What Diffuse's CLIP text encoder implements: transformers' `CLIPTextModel` (and the text tower of
/// `CLIPTextModelWithProjection`) with `quick_gelu` or `gelu`.
extension CLIPTextConfig {
    public static let supportedActivations: Set<String> = ["quick_gelu", "gelu"]

    /// Throws the first problem found by `unsupportedFeatures()`.
    public func validateSupported() throws {
        if let first = unsupportedFeatures().first { throw first }
    }

    /// Every reason Diffuse cannot run this text encoder (empty when supported).
    public func unsupportedFeatures() -> [ConfigError] {
        var problems: [ConfigError] = []
        if let type = modelType, type != "clip_text_model", type != "clip" {
            problems.append(ConfigError(.unsupported, file: sourceFile, key: "model_type", value: jsonText(type),
                message: "not supported by Diffuse; expected \"clip_text_model\" (a CLIP text encoder)"))
        }
        if !Self.supportedActivations.contains(hiddenAct) {
            problems.append(ConfigError(.unsupported, file: sourceFile, key: "hidden_act", value: jsonText(hiddenAct),
                message: "not supported by Diffuse; supported: \"quick_gelu\", \"gelu\""))
        }
        if numAttentionHeads <= 0 || hiddenSize % numAttentionHeads != 0 {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: "num_attention_heads", value: "\(numAttentionHeads)",
                message: "must divide hidden_size = \(hiddenSize)"))
        }
        for (key, value) in [("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
                             ("num_hidden_layers", numHiddenLayers), ("vocab_size", vocabSize),
                             ("max_position_embeddings", maxPositionEmbeddings)] where value <= 0 {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: key, value: "\(value)", message: "must be positive"))
        }
        return problems
    }
}

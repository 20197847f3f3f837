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
        let f = sourceFile
        let sizes = ConfigLimits.check([("hidden_size", hiddenSize), ("intermediate_size", intermediateSize)]
                                       + (projectionDim.map { [("projection_dim", $0)] } ?? []),
                                       max: ConfigLimits.maxChannels, file: f, what: "width")
            + ConfigLimits.check([("num_hidden_layers", numHiddenLayers)], max: ConfigLimits.maxTextLayers, file: f, what: "layer count")
            + ConfigLimits.check([("num_attention_heads", numAttentionHeads)], max: ConfigLimits.maxHeads, file: f, what: "attention heads")
            + ConfigLimits.check([("max_position_embeddings", maxPositionEmbeddings)], max: ConfigLimits.maxPositions, file: f,
                                 what: "positions")
            + ConfigLimits.check([("vocab_size", vocabSize)], max: ConfigLimits.maxVocabulary, file: f, what: "vocabulary")
        if !sizes.isEmpty { return sizes }    // the checks below divide and multiply these
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

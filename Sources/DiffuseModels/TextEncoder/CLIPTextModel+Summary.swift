import DiffuseCore

/// Facts about a built text encoder for `diffuse inspect` and logs.
extension CLIPTextModel {
    /// Parameters in the model (the checkpoint's `position_ids` buffer is not one).
    public var parameterCount: Int {
        let c = config
        let attention = 4 * (c.hiddenSize * c.hiddenSize + c.hiddenSize)
        let mlp = 2 * c.hiddenSize * c.intermediateSize + c.intermediateSize + c.hiddenSize
        let norms = 2 * 2 * c.hiddenSize
        return (c.vocabSize + c.maxPositionEmbeddings) * c.hiddenSize
            + c.numHiddenLayers * (attention + mlp + norms) + 2 * c.hiddenSize
    }

    /// One line, e.g. `CLIPTextModel: 12 layers, hidden 768, 12 heads × 64, MLP 3072, quick_gelu,
    /// 123.1M parameters, f32, keys with "text_model." prefix`.
    public var summary: String {
        let c = config
        let millions = (Double(parameterCount) / 1e5).rounded() / 10
        let name = hasProjection ? "CLIPTextModelWithProjection (projection \(textProjection!.outFeatures))" : "CLIPTextModel"
        return "\(name): \(c.numHiddenLayers) layers, hidden \(c.hiddenSize), \(c.numAttentionHeads) heads × \(c.headDim), "
            + "MLP \(c.intermediateSize), \(c.hiddenAct), \(millions)M parameters, \(dtype), keys "
            + (keyPrefix.isEmpty ? "without prefix" : "with \"\(keyPrefix)\" prefix")
    }
}

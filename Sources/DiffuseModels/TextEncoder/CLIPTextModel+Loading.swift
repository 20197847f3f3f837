import DiffuseCore
import DiffuseNN

/// Loading from safetensors files in either of the two key layouts text-encoder checkpoints come in:
/// `text_model.embeddings.…` (the hub's SD files, transformers 4's `CLIPTextModel` wrapping a
/// `CLIPTextTransformer`) and `embeddings.…` (transformers 5, which flattened the model).
extension CLIPTextModel {
    /// Memory-maps `weightFiles` (tensors already in `dtype` are used in place, others converted once) and
    /// builds the model computing in `dtype`. Errors: the config (`ConfigError`, e.g. an unsupported
    /// `hidden_act`), a file (`SafeTensorsError` naming the path), the key check (`WeightLoadError`).
    public convenience init(config: CLIPTextConfig, weightFiles: [String], dtype: DType = .f32,
                            backend: any Backend) throws {
        try config.validateSupported()   // before opening any file
        guard !weightFiles.isEmpty else {
            throw CLIPTextModelError(.missingWeights, "\(config.sourceFile): no weight files given for the text encoder")
        }
        let store = try WeightStore(files: weightFiles, dtype: dtype)
        try self.init(config: config, weights: store, backend: backend)
    }

    /// `"text_model."` when the checkpoint's keys carry that prefix, else `""`. Decided by the token
    /// embedding (present in every CLIP text checkpoint), or by any key with the prefix when it is missing,
    /// so the key check of a damaged file still reports names in the file's own layout.
    static func keyPrefix(of weights: WeightStore) -> String {
        let prefixed = "text_model."
        if weights.contains(prefixed + "embeddings.token_embedding.weight") { return prefixed }
        if weights.contains("embeddings.token_embedding.weight") { return "" }
        return weights.keys.contains { $0.hasPrefix(prefixed) } ? prefixed : ""
    }
}

import DiffuseModels

/// Whether Diffuse can run the model in a `ModelFolder`.
extension ModelFolder {
    public static let supportedTextEncoderClasses: Set<String> = ["CLIPTextModel", "CLIPTextModelWithProjection"]
    public static let supportedTokenizerClasses: Set<String> = ["CLIPTokenizer", "CLIPTokenizerFast"]

    /// Throws the first problem from `unsupportedFeatures()`.
    public func validateSupported() throws {
        if let first = unsupportedFeatures().first { throw first }
    }

    /// Every reason Diffuse cannot run this model: component classes in `model_index.json`, then each
    /// config's `unsupportedFeatures()` (UNet, VAE, text encoder, tokenizer, and SDXL's second ones), then
    /// a UNet the SD 1.x / 2.x pipeline cannot drive (SDXL's, which needs added conditions).
    public func unsupportedFeatures() -> [ConfigError] {
        var problems: [ConfigError] = []
        let expected: [(String, Set<String>)] = [
            ("unet", ["UNet2DConditionModel"]), ("vae", ["AutoencoderKL"]),
            ("text_encoder", Self.supportedTextEncoderClasses), ("tokenizer", Self.supportedTokenizerClasses),
            ("text_encoder_2", Self.supportedTextEncoderClasses), ("tokenizer_2", Self.supportedTokenizerClasses),
        ]
        for (name, classes) in expected {
            if let component = modelIndex[name], !classes.contains(component.className) {
                problems.append(ConfigError(.unsupported, file: modelIndex.sourceFile, key: name,
                    value: "[\"\(component.library)\", \"\(component.className)\"]",
                    message: "not supported by Diffuse; supported: \(classes.sorted().joined(separator: ", "))"))
            }
        }
        problems += unet.unsupportedFeatures() + vae.unsupportedFeatures()
        for encoder in textEncoders { problems += encoder.unsupportedFeatures() }
        for tokenizer in [tokenizer, tokenizer2].compactMap({ $0 }) { problems += tokenizer.unsupportedFeatures() }
        if unet.requiresAddedConditions && textEncoder2 == nil {
            problems.append(ConfigError(.unsupported, file: unet.sourceFile, key: "addition_embed_type",
                value: "\"text_time\"", message: "an SDXL UNet: it needs the pooled text embeddings of text_encoder_2, "
                    + "which this folder does not have (model_index.json lists no text_encoder_2)"))
        }
        return problems
    }
}

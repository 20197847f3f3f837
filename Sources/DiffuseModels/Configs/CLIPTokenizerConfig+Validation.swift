/// What Diffuse's tokenizer implements: CLIP's byte-level BPE (`CLIPTokenizer` / `CLIPTokenizerFast`).
extension CLIPTokenizerConfig {
    public static let supportedTokenizerClasses: Set<String> = ["CLIPTokenizer", "CLIPTokenizerFast"]

    /// Throws the first problem found by `unsupportedFeatures()`.
    public func validateSupported() throws {
        if let first = unsupportedFeatures().first { throw first }
    }

    /// Every reason Diffuse cannot use this tokenizer config (empty when supported).
    public func unsupportedFeatures() -> [ConfigError] {
        var problems: [ConfigError] = []
        if let name = tokenizerClass, !Self.supportedTokenizerClasses.contains(name) {
            problems.append(ConfigError(.unsupported, file: sourceFile, key: "tokenizer_class", value: jsonText(name),
                message: "not supported by Diffuse; supported: CLIPTokenizer, CLIPTokenizerFast"))
        }
        if let n = modelMaxLength, n < 2 {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: "model_max_length", value: "\(n)",
                message: "must leave room for <|startoftext|> and <|endoftext|> (SD uses 77)"))
        }
        if let n = modelMaxLength {
            problems += ConfigLimits.check([("model_max_length", n)], max: ConfigLimits.maxPositions, file: sourceFile,
                                           what: "prompt length (SD uses 77)")
        }
        return problems
    }
}

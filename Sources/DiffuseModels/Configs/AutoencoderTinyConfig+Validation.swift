/// What Diffuse's `AutoencoderTiny` implements: diffusers' `EncoderTiny` / `DecoderTiny` with ReLU, SiLU or
/// GELU, nearest 2× up-sampling, and stages that chain (what diffusers can run at all).
extension AutoencoderTinyConfig {
    /// The `act_fn` names diffusers' `get_activation` accepts that Diffuse implements (`mish` is not).
    public static let supportedActivations = ["relu", "silu", "swish", "gelu"]

    /// Throws the first problem found by `unsupportedFeatures()`.
    public func validateSupported() throws {
        if let first = unsupportedFeatures().first { throw first }
    }

    /// Every reason Diffuse cannot run this VAE (empty when supported).
    public func unsupportedFeatures() -> [ConfigError] {
        var problems: [ConfigError] = []
        func refuse(_ key: String, _ value: String, _ supported: String) {
            problems.append(ConfigError(.unsupported, file: sourceFile, key: key, value: value,
                                        message: "not supported by Diffuse; " + supported))
        }
        func invalid(_ key: String, _ value: String, _ message: String) {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: key, value: value, message: message))
        }
        if let name = className, name != "AutoencoderTiny" {
            refuse("_class_name", jsonText(name), "expected \"AutoencoderTiny\"")
        }
        if !Self.supportedActivations.contains(actFn.lowercased()) {
            refuse("act_fn", jsonText(actFn), "implemented: " + Self.supportedActivations.map { "\"\($0)\"" }.joined(separator: ", "))
        }
        if upsampleFn != "nearest" { refuse("upsample_fn", jsonText(upsampleFn), "only \"nearest\" is implemented") }
        if upsamplingScalingFactor != 2 {
            refuse("upsampling_scaling_factor", "\(upsamplingScalingFactor)",
                   "only 2 (TAESD's): the pipelines size images by 2 per decoder stage")
        }
        for (name, channels, blocks) in [("encoder", encoderBlockOutChannels, numEncoderBlocks),
                                         ("decoder", decoderBlockOutChannels, numDecoderBlocks)] {
            let key = "\(name)_block_out_channels"
            guard !channels.isEmpty else { invalid(key, "[]", "at least one stage is required"); continue }
            if channels.count != blocks.count {
                invalid("num_\(name)_blocks", jsonText(blocks.map { $0 as Any? }),
                        "must have one entry per \(key) entry (\(channels.count))")
            }
            if let bad = channels.first(where: { $0 < 1 }) { invalid(key, "\(bad)", "channels must be positive") }
            if Set(channels).count > 1 {
                invalid(key, jsonText(channels.map { $0 as Any? }),
                        "every stage must have the same width: diffusers' \(name == "encoder" ? "EncoderTiny" : "DecoderTiny") "
                        + "gives each stage's convolution the previous stage's output at the stage's own width")
            }
            if let bad = blocks.first(where: { $0 < 0 }) { invalid("num_\(name)_blocks", "\(bad)", "must not be negative") }
        }
        if !encoderBlockOutChannels.isEmpty, encoderBlockOutChannels.count != decoderBlockOutChannels.count {
            invalid("decoder_block_out_channels", "\(decoderBlockOutChannels.count) entries",
                    "must have as many stages as encoder_block_out_channels (\(encoderBlockOutChannels.count)), or encoding and decoding scale by different factors")
        }
        let f = sourceFile
        problems += ConfigLimits.check([("encoder_block_out_channels (stages)", encoderBlockOutChannels.count),
                                        ("decoder_block_out_channels (stages)", decoderBlockOutChannels.count)],
                                       max: ConfigLimits.maxBlocks, file: f, what: "stage count")
            + ConfigLimits.check((encoderBlockOutChannels + decoderBlockOutChannels).map { ("block_out_channels", $0) }
                                 + [("in_channels", inChannels), ("out_channels", outChannels), ("latent_channels", latentChannels)],
                                 max: ConfigLimits.maxChannels, file: f, what: "width")
            + ConfigLimits.check((numEncoderBlocks + numDecoderBlocks).map { ("num_blocks", $0) },
                                 max: ConfigLimits.maxLayersPerBlock, file: f, what: "blocks per stage")
        if inChannels < 1 { invalid("in_channels", "\(inChannels)", "must be positive") }
        if outChannels < 1 { invalid("out_channels", "\(outChannels)", "must be positive") }
        if latentChannels < 1 { invalid("latent_channels", "\(latentChannels)", "must be positive") }
        if scalingFactor == 0 { invalid("scaling_factor", "0", "must be non-zero") }
        return problems
    }
}

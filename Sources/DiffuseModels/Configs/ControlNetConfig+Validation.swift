/// Whether Diffuse can build a ControlNet from this config: the UNet-shaped part as the UNet's checks
/// say (`UNet2DConditionConfig+Validation.swift`), and the ControlNet's own keys.
extension ControlNetConfig {
    /// Throws a `ConfigError` naming the key and value of every problem found.
    public func validateSupported() throws {
        if let className, className != "ControlNetModel" {
            throw ConfigError(.unsupported, file: sourceFile, key: "_class_name", value: "\"\(className)\"",
                              message: "not a ControlNet Diffuse can run; expected \"ControlNetModel\" (diffusers' ControlNet; "
                                + "T2I-Adapters, ControlNet-XS and ControlNet-LLLite are other kinds)")
        }
        try unet.validateSupported()
        var problems = ConfigLimits.check([("conditioning_channels", conditioningChannels)] +
                                          conditioningEmbeddingOutChannels.map { ("conditioning_embedding_out_channels", $0) },
                                          max: ConfigLimits.maxChannels, minimum: 1, file: sourceFile, what: "width")
        let stages = conditioningEmbeddingOutChannels.count
        if stages == 0 || stages > ConfigLimits.maxBlocks {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: "conditioning_embedding_out_channels",
                                        value: "\(conditioningEmbeddingOutChannels)",
                                        message: "must list 1 to \(ConfigLimits.maxBlocks) widths (SD: [16, 32, 96, 256])"))
        }
        if !["rgb", "bgr"].contains(channelOrder) {
            problems.append(ConfigError(.unsupported, file: sourceFile, key: "controlnet_conditioning_channel_order",
                                        value: "\"\(channelOrder)\"", message: "must be \"rgb\" or \"bgr\""))
        }
        if globalPoolConditions {
            problems.append(ConfigError(.unsupported, file: sourceFile, key: "global_pool_conditions", value: "true",
                                        message: "pooled ControlNets (the shuffle model) are not supported by Diffuse yet"))
        }
        if let first = problems.first { throw first }
    }

    /// How many times the conditioning embedding halves the control image (its stride-2 convolutions):
    /// the VAE's down-sampling of the models it is made for (3 for SD's ×8).
    public var conditioningDownsamplings: Int { conditioningEmbeddingOutChannels.count - 1 }
}

/// What Diffuse's VAE implements: diffusers' `AutoencoderKL` built from `DownEncoderBlock2D` /
/// `UpDecoderBlock2D` with SiLU (SD 1.x / 2.x; also SDXL's VAE, which only differs in `scaling_factor`).
extension AutoencoderKLConfig {
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
        if let name = className, name != "AutoencoderKL" {
            refuse("_class_name", jsonText(name), "expected \"AutoencoderKL\"")
        }
        for (i, type) in downBlockTypes.enumerated() where type != "DownEncoderBlock2D" {
            refuse("down_block_types[\(i)]", jsonText(type), "supported: DownEncoderBlock2D")
        }
        for (i, type) in upBlockTypes.enumerated() where type != "UpDecoderBlock2D" {
            refuse("up_block_types[\(i)]", jsonText(type), "supported: UpDecoderBlock2D")
        }
        if actFn != "silu" { refuse("act_fn", jsonText(actFn), "only \"silu\" is implemented") }
        if latentsMean != nil || latentsStd != nil {
            refuse(latentsMean != nil ? "latents_mean" : "latents_std", "[…]",
                   "per-channel latent normalisation is not implemented (must be null)")
        }

        let n = blockOutChannels.count
        if n == 0 { invalid("block_out_channels", "[]", "at least one block is required"); return problems }
        let f = sourceFile
        let sizes = ConfigLimits.check([("block_out_channels (blocks)", n)], max: ConfigLimits.maxBlocks, file: f, what: "block count")
            + ConfigLimits.check(blockOutChannels.enumerated().map { ("block_out_channels[\($0)]", $1) }
                                 + [("in_channels", inChannels), ("out_channels", outChannels),
                                    ("latent_channels", latentChannels), ("norm_num_groups", normNumGroups)],
                                 max: ConfigLimits.maxChannels, file: f, what: "width")
            + ConfigLimits.check([("layers_per_block", layersPerBlock)], max: ConfigLimits.maxLayersPerBlock, file: f,
                                 what: "layers per block")
        if !sizes.isEmpty { return problems + sizes }
        if downBlockTypes.count != n {
            invalid("down_block_types", "\(downBlockTypes.count) entries",
                    "must have one entry per block_out_channels entry (\(n))")
        }
        if upBlockTypes.count != n {
            invalid("up_block_types", "\(upBlockTypes.count) entries",
                    "must have one entry per block_out_channels entry (\(n))")
        }
        for (i, channels) in blockOutChannels.enumerated() where normNumGroups <= 0 || channels % normNumGroups != 0 {
            invalid("norm_num_groups", "\(normNumGroups)", "must divide block_out_channels[\(i)] = \(channels)")
        }
        if layersPerBlock < 1 { invalid("layers_per_block", "\(layersPerBlock)", "must be at least 1") }
        if latentChannels < 1 { invalid("latent_channels", "\(latentChannels)", "must be positive") }
        if scalingFactor == 0 { invalid("scaling_factor", "0", "must be non-zero") }
        return problems
    }
}

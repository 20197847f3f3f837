/// What Diffuse's UNet implements: the SD 1.x / SD 2.x `UNet2DConditionModel` (incl. inpainting's
/// 9 input channels) and SDXL's (added text/time embeddings, per-block and per-attention transformer
/// depths). Everything else diffusers can build (other added embeddings, class embeddings, LCM's
/// `time_cond_proj_dim`, Fourier timesteps, other block types, …) is refused here with a message
/// naming the file, the key, the value and what is supported.
extension UNet2DConditionConfig {
    public static let supportedDownBlockTypes: Set<String> = ["CrossAttnDownBlock2D", "DownBlock2D"]
    public static let supportedUpBlockTypes: Set<String> = ["CrossAttnUpBlock2D", "UpBlock2D"]
    public static let supportedMidBlockTypes: Set<String> = ["UNetMidBlock2DCrossAttn"]

    /// Throws the first problem found by `unsupportedFeatures()`.
    public func validateSupported() throws {
        if let first = unsupportedFeatures().first { throw first }
    }

    /// Every reason Diffuse cannot run this UNet, in key order of importance (empty when supported).
    public func unsupportedFeatures() -> [ConfigError] {
        var problems: [ConfigError] = []
        func refuse(_ key: String, _ value: String, _ supported: String) {
            problems.append(ConfigError(.unsupported, file: sourceFile, key: key, value: value,
                                        message: "not supported by Diffuse; " + supported))
        }

        if let name = className, name != "UNet2DConditionModel" {
            refuse("_class_name", jsonText(name), "expected \"UNet2DConditionModel\"")
        }
        // Model families: the keys that tell SDXL, class-conditioned and distilled UNets apart.
        if let v = additionEmbedType {
            if v == "text_time" {
                problems += textTimeProblems()
            } else {
                refuse("addition_embed_type", jsonText(v),
                       "only \"text_time\" (SDXL's added text/time embeddings) or null (SD 1.x / 2.x) is implemented")
            }
        }
        if let v = classEmbedType {
            refuse("class_embed_type", jsonText(v), "class embeddings are not implemented (class_embed_type must be null)")
        }
        if let v = numClassEmbeds {
            refuse("num_class_embeds", jsonText(v), "class embeddings are not implemented (num_class_embeds must be null)")
        }
        if let v = encoderHidDimType {
            refuse("encoder_hid_dim_type", jsonText(v), "encoder hidden-state projections are not implemented (must be null)")
        } else if let v = encoderHidDim {
            refuse("encoder_hid_dim", jsonText(v), "encoder hidden-state projections are not implemented (must be null)")
        }
        if let v = timeCondProjDim {
            refuse("time_cond_proj_dim", jsonText(v), "guidance/LCM timestep conditioning is not implemented (must be null)")
        }
        if timeEmbeddingType != "positional" {
            refuse("time_embedding_type", jsonText(timeEmbeddingType), "only \"positional\" timestep embeddings are implemented")
        }
        if let v = timeEmbeddingActFn {
            refuse("time_embedding_act_fn", jsonText(v), "must be null")
        }
        if let v = timestepPostAct {
            refuse("timestep_post_act", jsonText(v), "must be null")
        }
        if actFn != "silu" {
            refuse("act_fn", jsonText(actFn), "only \"silu\" is implemented")
        }
        if attentionType != "default" {
            refuse("attention_type", jsonText(attentionType), "only \"default\" attention is implemented (no GLIGEN)")
        }
        if dualCrossAttention { refuse("dual_cross_attention", "true", "must be false") }
        if centerInputSample { refuse("center_input_sample", "true", "must be false") }
        if classEmbeddingsConcat { refuse("class_embeddings_concat", "true", "must be false") }
        if resnetTimeScaleShift != "default" {
            refuse("resnet_time_scale_shift", jsonText(resnetTimeScaleShift), "only \"default\" is implemented")
        }
        if resnetSkipTimeAct { refuse("resnet_skip_time_act", "true", "must be false") }
        if resnetOutScaleFactor != 1 {
            refuse("resnet_out_scale_factor", jsonText(resnetOutScaleFactor), "must be 1.0")
        }
        if let v = crossAttentionNorm {
            refuse("cross_attention_norm", jsonText(v), "must be null")
        }
        if onlyCrossAttentionList.contains(true) {
            refuse("only_cross_attention", onlyCrossAttention.jsonDescription, "blocks without self-attention are not implemented (must be false)")
        }
        if resolvedMidBlockOnlyCrossAttention {
            refuse("mid_block_only_cross_attention", "true", "must be false or null")
        }
        for (key, k) in [("conv_in_kernel", convInKernel), ("conv_out_kernel", convOutKernel)] where k <= 0 || k % 2 == 0 {
            refuse(key, "\(k)", "must be a positive odd kernel size (SD uses 3)")
        }

        // Block types.
        for (i, type) in downBlockTypes.enumerated() where !Self.supportedDownBlockTypes.contains(type) {
            refuse("down_block_types[\(i)]", jsonText(type), "supported: CrossAttnDownBlock2D, DownBlock2D")
        }
        for (i, type) in upBlockTypes.enumerated() where !Self.supportedUpBlockTypes.contains(type) {
            refuse("up_block_types[\(i)]", jsonText(type), "supported: UpBlock2D, CrossAttnUpBlock2D")
        }
        if let mid = midBlockType {
            if !Self.supportedMidBlockTypes.contains(mid) {
                refuse("mid_block_type", jsonText(mid), "supported: UNetMidBlock2DCrossAttn")
            }
        } else {
            refuse("mid_block_type", "null", "a UNetMidBlock2DCrossAttn mid block is required")
        }

        // Shapes: lists must have one entry per block (diffusers' `_check_config`, plus ours).
        let n = blockCount
        func checkCount(_ key: String, _ count: Int?, _ value: String) {
            if let count, count != n {
                problems.append(ConfigError(.invalidValue, file: sourceFile, key: key, value: value,
                    message: "has \(count) entries but down_block_types has \(n); give one value per block or a single value"))
            }
        }
        if n == 0 {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: "down_block_types", value: "[]",
                                        message: "at least one block is required"))
            return problems
        }
        let sizes = sizeProblems()
        if !sizes.isEmpty { return problems + sizes }
        checkCount("up_block_types", upBlockTypes.count, jsonText(upBlockTypes.map { $0 as Any? }))
        checkCount("block_out_channels", blockOutChannels.count, jsonText(blockOutChannels.map { $0 as Any? }))
        checkCount("layers_per_block", layersPerBlock.listCount, layersPerBlock.jsonDescription)
        checkCount("attention_head_dim", attentionHeadDim.listCount, attentionHeadDim.jsonDescription)
        if let heads = numAttentionHeads {
            checkCount("num_attention_heads", heads.listCount, heads.jsonDescription)
        }
        checkCount("cross_attention_dim", crossAttentionDim.listCount, crossAttentionDim.jsonDescription)
        checkCount("only_cross_attention", onlyCrossAttention.listCount, onlyCrossAttention.jsonDescription)
        if let count = transformerLayersPerBlock.listCount {
            checkCount("transformer_layers_per_block", count, transformerLayersPerBlock.jsonDescription)
        }
        if let reverse = reverseTransformerLayersPerBlock {
            if let count = reverse.listCount {
                checkCount("reverse_transformer_layers_per_block", count, reverse.jsonDescription)
            } else {
                problems.append(ConfigError(.invalidValue, file: sourceFile, key: "reverse_transformer_layers_per_block",
                    value: reverse.jsonDescription, message: "must be a list with one entry per up block (an int, or a list with one depth per attention)"))
            }
        } else if case .perAttention = transformerLayersPerBlock {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: "reverse_transformer_layers_per_block", value: "null",
                message: "is required when transformer_layers_per_block gives one depth per attention (as in diffusers): "
                    + "up blocks have layers_per_block + 1 attentions, so give one list per up block"))
        }
        let depthKeys: [(String, TransformerLayersPerBlock?)] = [
            ("transformer_layers_per_block", transformerLayersPerBlock),
            ("reverse_transformer_layers_per_block", reverseTransformerLayersPerBlock),
        ]
        for (key, value) in depthKeys where value?.allCounts.contains(where: { $0 < 0 }) == true {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: key, value: value?.jsonDescription,
                                        message: "transformer depths must not be negative"))
        }
        // Stop here if the lists do not line up: the checks below index them.
        guard problems.allSatisfy({ $0.kind == .unsupported }) else { return problems }
        problems += perAttentionDepthProblems()

        // Divisibility: heads must divide each block's channels, groups must divide every channel count.
        for (i, (channels, heads)) in zip(blockOutChannels, attentionHeads).enumerated() where heads <= 0 || channels % heads != 0 {
            let key = numAttentionHeads == nil ? "attention_head_dim" : "num_attention_heads"
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: key, value: "\(heads) (block \(i))",
                message: "the number of heads must divide block_out_channels[\(i)] = \(channels) (note: in diffusers attention_head_dim is the head COUNT unless num_attention_heads is set)"))
        }
        if let groups = normNumGroups {
            for (i, channels) in blockOutChannels.enumerated() where groups <= 0 || channels % groups != 0 {
                problems.append(ConfigError(.invalidValue, file: sourceFile, key: "norm_num_groups", value: "\(groups)",
                    message: "must divide block_out_channels[\(i)] = \(channels)"))
            }
        } else {
            refuse("norm_num_groups", "null", "GroupNorm is required (SD uses 32)")
        }
        for (i, layers) in layersPerBlockList.enumerated() where layers < 1 {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: "layers_per_block", value: "\(layers) (block \(i))",
                                        message: "must be at least 1"))
        }
        if inChannels < 1 || outChannels < 1 {
            problems.append(ConfigError(.invalidValue, file: sourceFile, key: inChannels < 1 ? "in_channels" : "out_channels",
                                        value: "\(min(inChannels, outChannels))", message: "must be positive"))
        }
        return problems
    }

    /// Sizes beyond any real UNet (`ConfigLimits`): checked before the shape checks, which multiply them.
    private func sizeProblems() -> [ConfigError] {
        let f = sourceFile
        var channels = blockOutChannels.enumerated().map { ("block_out_channels[\($0)]", $1) }
        channels += [("in_channels", inChannels), ("out_channels", outChannels)]
        channels += crossAttentionDim.allValues.map { ("cross_attention_dim", $0) }
        channels += [("addition_time_embed_dim", additionTimeEmbedDim), ("time_embedding_dim", timeEmbeddingDim),
                     ("projection_class_embeddings_input_dim", projectionClassEmbeddingsInputDim),
                     ("norm_num_groups", normNumGroups)].compactMap { k, v in v.map { (k, $0) } }
        let depths = transformerLayersPerBlock.allCounts + (reverseTransformerLayersPerBlock?.allCounts ?? [])
        return ConfigLimits.check([("down_block_types (blocks)", blockCount)], max: ConfigLimits.maxBlocks, file: f, what: "block count")
            + ConfigLimits.check(channels.map { (key: $0.0, value: $0.1) }, max: ConfigLimits.maxChannels, file: f, what: "width")
            + ConfigLimits.check(layersPerBlock.allValues.map { ("layers_per_block", $0) }, max: ConfigLimits.maxLayersPerBlock,
                                 file: f, what: "layers per block")
            + ConfigLimits.check(depths.map { ("transformer_layers_per_block", $0) }, max: ConfigLimits.maxLayersPerBlock,
                                 file: f, what: "transformer depth")
            + ConfigLimits.check(attentionHeadDim.allValues.map { ("attention_head_dim", $0) }
                                 + (numAttentionHeads?.allValues ?? []).map { ("num_attention_heads", $0) },
                                 max: ConfigLimits.maxHeads, file: f, what: "attention heads")
            + ConfigLimits.check([("conv_in_kernel", convInKernel), ("conv_out_kernel", convOutKernel)], max: 15, file: f,
                                 what: "kernel size")
            + ConfigLimits.check((sampleSize.map { [("sample_size", $0.width), ("sample_size", $0.height)] } ?? []),
                                 max: ConfigLimits.maxSampleSize, file: f, what: "sample size")
    }

    /// `addition_embed_type: "text_time"` needs the width of each time id's embedding and `add_embedding`'s
    /// input width (diffusers builds `Timesteps(addition_time_embed_dim, …)` and
    /// `TimestepEmbedding(projection_class_embeddings_input_dim, …)` from them).
    private func textTimeProblems() -> [ConfigError] {
        func invalid(_ key: String, _ value: Int?, _ message: String) -> ConfigError {
            ConfigError(.invalidValue, file: sourceFile, key: key, value: value.map { "\($0)" } ?? "null",
                        message: message + " (addition_embed_type \"text_time\")")
        }
        guard let d = additionTimeEmbedDim, d > 0 else {
            return [invalid("addition_time_embed_dim", additionTimeEmbedDim,
                            "must be a positive width: the sinusoidal embedding of each time id (SDXL: 256)")]
        }
        guard let total = projectionClassEmbeddingsInputDim, total > d else {
            return [invalid("projection_class_embeddings_input_dim", projectionClassEmbeddingsInputDim,
                            "must be add_embedding's input width, text_embeds width + time-id count × addition_time_embed_dim "
                            + "(SDXL base: 2816 = 1280 + 6 × 256), so more than addition_time_embed_dim = \(d)")]
        }
        return []
    }

    /// Per-attention depth lists must cover every attention of the blocks that have attentions (diffusers
    /// indexes them by attention; extra entries are unused, as there): `layers_per_block` down, one in the
    /// mid block (from the last entry), `layers_per_block + 1` up.
    private func perAttentionDepthProblems() -> [ConfigError] {
        var problems: [ConfigError] = []
        let n = blockCount, layers = layersPerBlockList
        func check(_ key: String, _ depths: [Int], needs: Int, _ what: String) {
            if depths.count < needs {
                problems.append(ConfigError(.invalidValue, file: sourceFile, key: key, value: "\(depths)",
                    message: "has \(depths.count) entries but \(what) has \(needs) attention\(needs == 1 ? "" : "s"); give one depth per attention"))
            }
        }
        if case .perAttention(let down) = transformerLayersPerBlock {
            for i in 0..<n where downBlockTypes[i] == "CrossAttnDownBlock2D" {
                check("transformer_layers_per_block[\(i)]", down[i], needs: layers[i], "down block \(i) (layers_per_block)")
            }
            check("transformer_layers_per_block[\(n - 1)]", down[n - 1], needs: 1, "the mid block (which reads the last entry)")
        }
        if case .perAttention(let up)? = reverseTransformerLayersPerBlock {
            for i in 0..<n where upBlockTypes[i] == "CrossAttnUpBlock2D" {
                check("reverse_transformer_layers_per_block[\(i)]", up[i], needs: layers[n - 1 - i] + 1,
                      "up block \(i) (layers_per_block + 1)")
            }
        }
        return problems
    }
}

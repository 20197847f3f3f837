import DiffuseNN

/// transformers CLIPTextModel keys → a single-file checkpoint's text encoder, as diffusers'
/// loaders/single_file_utils.py reads it:
///
/// - SD 1.x (`convert_ldm_clip_checkpoint`): OpenAI CLIP under `cond_stage_model.transformer.`,
///   otherwise the same keys (`text_model.…`).
/// - SD 2.x (`convert_open_clip_checkpoint`): OpenCLIP under `cond_stage_model.model.`:
///
///       embeddings.token_embedding.weight         token_embedding.weight
///       embeddings.position_embedding.weight      positional_embedding
///       encoder.layers.N.layer_norm1 / 2          transformer.resblocks.N.ln_1 / ln_2
///       encoder.layers.N.self_attn.{q,k,v}_proj   transformer.resblocks.N.attn.in_proj_{weight,bias}, rows 1st / 2nd / 3rd third
///       encoder.layers.N.self_attn.out_proj       transformer.resblocks.N.attn.out_proj
///       encoder.layers.N.mlp.fc1 / fc2            transformer.resblocks.N.mlp.c_fc / c_proj
///       final_layer_norm                          ln_final
///
///   `text_projection` and `logit_scale` are not used (SD conditions on hidden states), nor are the
///   resblocks past the config's `num_hidden_layers` (SD 2 uses the penultimate of OpenCLIP's 24
///   layers: diffusers' config has 23).
struct OriginalTextEncoderMapping: WeightKeyMapping {
    typealias Layout = SingleFileCheckpoint.TextEncoderLayout

    static func prefix(_ layout: Layout) -> String {
        layout == .clip ? "cond_stage_model.transformer." : "cond_stage_model.model."
    }

    let layout: Layout
    var prefix: String { Self.prefix(layout) }

    /// Stored keys (after the prefix) that the text model does not use, given `layers` encoder layers.
    static func ignoredPrefixes(_ layout: Layout, layers: Int) -> [String] {
        let p = prefix(layout)
        switch layout {
        case .clip: return [p + "text_model.embeddings.position_ids"]
        case .openCLIP: return [p + "text_projection", p + "logit_scale", p + "attn_mask"]
            + (layers..<64).map { "\(p)transformer.resblocks.\($0)." }
        }
    }

    func owns(storedKey: String) -> Bool { storedKey.hasPrefix(prefix) }

    func storedTensor(for modelKey: String) -> StoredTensorRef? {
        let key = modelKey.hasPrefix("text_model.") ? String(modelKey.dropFirst("text_model.".count)) : modelKey
        if layout == .clip { return StoredTensorRef(prefix + "text_model." + key) }
        let p = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch key {
        case "embeddings.token_embedding.weight": return StoredTensorRef(prefix + "token_embedding.weight")
        case "embeddings.position_embedding.weight": return StoredTensorRef(prefix + "positional_embedding")
        default: break
        }
        if p.count == 2, p[0] == "final_layer_norm" { return StoredTensorRef(prefix + "ln_final." + p[1]) }
        guard p.count >= 5, p[0] == "encoder", p[1] == "layers", let n = Int(p[2]) else { return nil }
        let block = "\(prefix)transformer.resblocks.\(n)."
        let leaf = p[p.count - 1], middle = p[3..<(p.count - 1)].joined(separator: ".")
        switch middle {
        case "layer_norm1": return StoredTensorRef(block + "ln_1." + leaf)
        case "layer_norm2": return StoredTensorRef(block + "ln_2." + leaf)
        case "mlp.fc1": return StoredTensorRef(block + "mlp.c_fc." + leaf)
        case "mlp.fc2": return StoredTensorRef(block + "mlp.c_proj." + leaf)
        case "self_attn.out_proj": return StoredTensorRef(block + "attn.out_proj." + leaf)
        case "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj":
            let index = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"].firstIndex(of: middle)!
            return StoredTensorRef(block + "attn.in_proj_" + leaf, .chunk(index: index, parts: 3))
        default: return nil
        }
    }
}

import DiffuseNN

/// transformers CLIPTextModel / CLIPTextModelWithProjection keys → one text encoder of a single-file
/// checkpoint, stored under `prefix` (where, per family: `SingleFileCheckpoint.Family`), as diffusers'
/// loaders/single_file_utils.py reads it:
///
/// - CLIP (`convert_ldm_clip_checkpoint`; SD 1.x under `cond_stage_model.transformer.`, SDXL's
///   `text_encoder` under `conditioner.embedders.0.transformer.`): the same keys (`text_model.…`).
/// - OpenCLIP (`convert_open_clip_checkpoint`; SD 2.x under `cond_stage_model.model.`, SDXL's
///   `text_encoder_2` under `conditioner.embedders.1.model.`, the SDXL refiner's under
///   `conditioner.embedders.0.model.`):
///
///       embeddings.token_embedding.weight         token_embedding.weight
///       embeddings.position_embedding.weight      positional_embedding
///       encoder.layers.N.layer_norm1 / 2          transformer.resblocks.N.ln_1 / ln_2
///       encoder.layers.N.self_attn.{q,k,v}_proj   transformer.resblocks.N.attn.in_proj_{weight,bias}, rows 1st / 2nd / 3rd third
///       encoder.layers.N.self_attn.out_proj       transformer.resblocks.N.attn.out_proj
///       encoder.layers.N.mlp.fc1 / fc2            transformer.resblocks.N.mlp.c_fc / c_proj
///       final_layer_norm                          ln_final
///       text_projection.weight [P, H]             text_projection [H, P], transposed (OpenCLIP computes x @ P)
///
///   `text_projection` is used only by a CLIPTextModelWithProjection (SDXL's `text_encoder_2`, whose
///   pooled, projected output conditions the UNet); SD 2's CLIPTextModel leaves it unused. `logit_scale`
///   is never used, nor are the resblocks past the config's `num_hidden_layers` (SD 2 uses the
///   penultimate of OpenCLIP's 24 layers: diffusers' config has 23; SDXL's bigG config keeps all 32).
struct OriginalTextEncoderMapping: WeightKeyMapping {
    typealias Layout = SingleFileCheckpoint.TextEncoderLayout

    let layout: Layout
    /// Where the text encoder's keys start, e.g. `cond_stage_model.transformer.`.
    let prefix: String

    /// Stored keys that the text model does not use, given `layers` encoder layers and whether the model
    /// has a projection (CLIPTextModelWithProjection).
    func ignoredPrefixes(layers: Int, projection: Bool) -> [String] {
        switch layout {
        case .clip: return [prefix + "text_model.embeddings.position_ids"]
        case .openCLIP: return [prefix + "logit_scale", prefix + "attn_mask"] + (projection ? [] : [prefix + "text_projection"])
            + (layers..<64).map { "\(prefix)transformer.resblocks.\($0)." }
        }
    }

    func owns(storedKey: String) -> Bool { storedKey.hasPrefix(prefix) }

    func storedTensor(for modelKey: String) -> StoredTensorRef? {
        let key = modelKey.hasPrefix("text_model.") ? String(modelKey.dropFirst("text_model.".count)) : modelKey
        if layout == .clip {
            return StoredTensorRef(prefix + (key.hasPrefix("text_projection.") ? key : "text_model." + key))
        }
        let p = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch key {
        case "embeddings.token_embedding.weight": return StoredTensorRef(prefix + "token_embedding.weight")
        case "embeddings.position_embedding.weight": return StoredTensorRef(prefix + "positional_embedding")
        case "text_projection.weight": return StoredTensorRef(prefix + "text_projection", .transpose)
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

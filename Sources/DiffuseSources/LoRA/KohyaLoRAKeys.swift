/// kohya-ss / A1111 LoRA names → diffusers module paths, as diffusers converts them
/// (loaders/lora_conversion_utils.py `_maybe_map_sgm_blocks_to_diffusers`, `_convert_unet_lora_key`,
/// `_convert_text_encoder_lora_key`; then utils/state_dict_utils.py `convert_unet_state_dict_to_peft` /
/// `convert_state_dict_to_peft`). A kohya name is the module path with `_` for `.` behind a prefix
/// (`lora_unet_`, `lora_te_`, `lora_te1_`, `lora_te2_`); the `_` inside diffusers' own names
/// (`transformer_blocks`, `to_q`, `proj_in`, …) are restored by diffusers' list of renames, kept here in
/// its order.
public enum KohyaLoRAKeys {
    /// `lora_unet_<name>` → the UNet module, or nil when diffusers' renames give no LoRA module name.
    public static func unetModule(_ stem: String) -> String? {
        var name = String(stem.dropFirst("lora_unet_".count)).replacingOccurrences(of: "_", with: ".") + ".lora.down.weight"
        func replace(_ old: String, _ new: String) { name = name.replacingOccurrences(of: old, with: new) }
        // SGM names of SDXL's conv_in / conv_out first, then the block renames.
        replace("input.blocks.0.0", "conv_in")
        replace("out.2", "conv_out")
        for (old, new) in [("input.blocks", "down_blocks"), ("down.blocks", "down_blocks"), ("middle.block", "mid_block"),
                           ("mid.block", "mid_block"), ("output.blocks", "up_blocks"), ("up.blocks", "up_blocks"),
                           ("transformer.blocks", "transformer_blocks"), ("to.q.lora", "to_q_lora"), ("to.k.lora", "to_k_lora"),
                           ("to.v.lora", "to_v_lora"), ("to.out.0.lora", "to_out_lora"), ("proj.in", "proj_in"),
                           ("proj.out", "proj_out"), ("emb.layers", "time_emb_proj"), ("conv.in", "conv_in"),
                           ("conv.out", "conv_out"), ("time.embed.0", "time_embedding.linear_1"),
                           ("time.embed.2", "time_embedding.linear_2"), ("label.emb.0.0", "add_embedding.linear_1"),
                           ("label.emb.0.2", "add_embedding.linear_2"), ("time.embedding.linear.1", "time_embedding.linear_1"),
                           ("time.embedding.linear.2", "time_embedding.linear_2")] {
            replace(old, new)
        }
        // SDXL: `emb_layers_1` → `time_emb_proj` drops its index (`re.sub(r"\.\d+(?=\D*$)", "", count=1)`).
        if name.contains("emb") && !name.contains("time.emb.proj") { name = dropLastIndex(name) }
        if name.contains(".in.") { replace("in.layers.2", "conv1") }
        if name.contains(".out.") { replace("out.layers.3", "conv2") }
        if name.contains("downsamplers") || name.contains("upsamplers") { replace("op", "conv") }
        if name.contains("skip") { replace("skip.connection", "conv_shortcut") }
        if name.contains("time.emb.proj") { replace("time.emb.proj", "time_emb_proj") }
        if name.contains("conv.shortcut") { replace("conv.shortcut", "conv_shortcut") }
        if name.contains("transformer_blocks") && (name.contains("attn1") || name.contains("attn2")) {
            replace("attn1", "attn1.processor")
            replace("attn2", "attn2.processor")
        }
        return peftUNetModule(name)
    }

    /// A UNet key in diffusers' non-PEFT spellings (`….processor.to_q_lora.down.weight`,
    /// `….lora.down.weight`) → its module (`convert_unet_state_dict_to_peft`: `.processor.` dropped, then
    /// the first matching rename of `UNET_TO_DIFFUSERS`), nil when none gives a `lora_A` key.
    public static func peftUNetModule(_ key: String) -> String? {
        var name = key.replacingOccurrences(of: ".processor.", with: ".")
        for (old, new) in [(".to_out_lora.down", ".to_out.0.lora_A"), (".to_q_lora.down", ".to_q.lora_A"),
                           (".to_k_lora.down", ".to_k.lora_A"), (".to_v_lora.down", ".to_v.lora_A"), (".lora.down", ".lora_A")]
            where name.contains(old) {
            name = name.replacingOccurrences(of: old, with: new)
            break
        }
        guard name.hasSuffix(".lora_A.weight") else { return nil }
        return String(name.dropLast(".lora_A.weight".count))
    }

    /// `lora_te_` / `lora_te1_` / `lora_te2_<name>` → (component, module without `text_model.`).
    public static func textEncoderModule(_ stem: String) -> (SingleFileCheckpoint.Component, String)? {
        let (prefix, component): (String, SingleFileCheckpoint.Component) =
            stem.hasPrefix("lora_te2_") ? ("lora_te2_", .textEncoder2)
            : stem.hasPrefix("lora_te1_") ? ("lora_te1_", .textEncoder) : ("lora_te_", .textEncoder)
        var name = String(stem.dropFirst(prefix.count)).replacingOccurrences(of: "_", with: ".") + ".lora.down.weight"
        for (old, new) in [("text.model", "text_model"), ("self.attn", "self_attn"), ("q.proj.lora", "to_q_lora"),
                           ("k.proj.lora", "to_k_lora"), ("v.proj.lora", "to_v_lora"), ("out.proj.lora", "to_out_lora"),
                           ("text.projection", "text_projection")] {
            name = name.replacingOccurrences(of: old, with: new)
        }
        if !name.contains("self_attn") && !name.contains("text_projection") && name.contains("mlp") {
            name = name.replacingOccurrences(of: ".lora.", with: ".lora_linear_layer.")
        }
        return textEncoderModule(diffusersKey: name).map { (component, $0) }
    }

    /// A text-encoder key in diffusers' non-PEFT spellings (`….to_q_lora.down.weight`,
    /// `….lora_linear_layer.down.weight`, `text_projection.lora.down.weight`) → its module without
    /// `text_model.` (`convert_state_dict_to_diffusers` + `convert_state_dict_to_peft`, and the prefix
    /// diffusers drops for transformers 5's flattened CLIPTextModel).
    public static func textEncoderModule(diffusersKey key: String) -> String? {
        var name = key
        for (old, new) in [(".to_q_lora.down.weight", ".q_proj"), (".to_k_lora.down.weight", ".k_proj"),
                           (".to_v_lora.down.weight", ".v_proj"), (".to_out_lora.down.weight", ".out_proj"),
                           (".lora_linear_layer.down.weight", ""), ("text_projection.lora.down.weight", "text_projection")]
            where name.hasSuffix(old) {
            name = String(name.dropLast(old.count)) + new
            return withoutTextModel(name)
        }
        return nil
    }

    public static func withoutTextModel(_ module: String) -> String {
        module.hasPrefix("text_model.") ? String(module.dropFirst("text_model.".count)) : module
    }

    /// Drops the last `.<digits>` that has no digit after it (diffusers' `re.sub(r"\.\d+(?=\D*$)", "", name, count=1)`).
    static func dropLastIndex(_ name: String) -> String {
        let chars = Array(name)
        guard let lastDigit = chars.lastIndex(where: \.isNumber) else { return name }
        var start = lastDigit
        while start > 0, chars[start - 1].isNumber { start -= 1 }
        guard start > 0, chars[start - 1] == "." else { return name }
        return String(chars[..<(start - 1)] + chars[(lastDigit + 1)...])
    }
}

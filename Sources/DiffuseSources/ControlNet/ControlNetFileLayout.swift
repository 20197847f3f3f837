/// The key layout of a single-file ControlNet, told from its tensor names as diffusers'
/// loaders/single_file_utils.py does (`CHECKPOINT_KEY_NAMES["controlnet"]`: `control_model.time_embed.0.weight`,
/// `controlnet_cond_embedding.conv_in.weight`; `convert_controlnet_checkpoint` also takes the original layout
/// without a prefix) — and, for files that are something else, what they look like, so that the error names it.
public enum ControlNetFileLayout: Sendable, Equatable {
    /// diffusers' names (`controlnet_cond_embedding.*`, `down_blocks.*`, …): read as stored.
    case diffusers
    /// The original (lllyasviel `cldm`) layout under `prefix`: `control_model.`, or "" (thibaud/controlnet-sd21).
    case original(prefix: String)

    /// lllyasviel's prefix of the ControlNet's keys in the original layout.
    public static let originalPrefix = "control_model."

    /// The layout of a file with these tensor names, or a `SingleFileError` (`.unsupported`) saying what the
    /// file looks like instead: a Control-LoRA, a LoRA, a T2I-Adapter, ControlNet-LLLite, a ControlNet Union,
    /// a Stable Diffusion checkpoint or UNet, a VAE, a text encoder, or nothing known.
    public static func detect(_ names: [String], path: String) throws -> ControlNetFileLayout {
        let set = Set(names)
        func has(_ prefix: String) -> Bool { names.contains { $0.hasPrefix(prefix) } }
        func contains(_ part: String) -> Bool { names.contains { $0.contains(part) } }
        func refuse(_ what: String) -> SingleFileError { SingleFileError(.unsupported, path: path, message: what) }

        // Control-LoRA first: it has input_hint_block.* like a ControlNet, beside low-rank weights.
        if set.contains("lora_controlnet") {
            throw refuse("a Control-LoRA (stabilityai/control-lora: low-rank ControlNet weights added to the base model's UNet, marked by `lora_controlnet`), not a full ControlNet; Diffuse runs full ControlNets — use one such as diffusers/controlnet-canny-sdxl-1.0")
        }
        if set.contains("task_embedding") || has("transformer_layes.") || has("spatial_ch_projs.") {
            throw refuse("a ControlNet Union (ControlNetUnionModel: task_embedding, transformer_layes.*), which Diffuse does not run; use a single-condition ControlNet")
        }
        if has(originalPrefix + "input_hint_block.") { return .original(prefix: originalPrefix) }
        if has("input_hint_block.") { return .original(prefix: "") }
        if set.contains("controlnet_cond_embedding.conv_in.weight") { return .diffusers }

        if has("lllite_") {
            throw refuse("a ControlNet-LLLite (kohya, lllite_unet_*), not a ControlNet; Diffuse does not run ControlNet-LLLite")
        }
        if contains("lora_down") || contains("lora_up") || contains("lora_A.") || contains("lora_B.") || has("lora_unet_") || has("lora_te") {
            throw refuse("a LoRA (low-rank weights: lora_down / lora_up or lora_A / lora_B), not a ControlNet; give it with --lora")
        }
        if has("adapter.") || has("body.0.") {
            throw refuse("a T2I-Adapter (adapter.* / body.*: TencentARC's adapters), not a ControlNet; Diffuse does not run T2I-Adapters — use a ControlNet for the same condition")
        }
        if has(OriginalUNetMapping.prefix) || has("first_stage_model.") {
            let what = has("first_stage_model.") ? "a Stable Diffusion checkpoint (model.diffusion_model.*, first_stage_model.*)"
                                                   : "a UNet in the original layout (model.diffusion_model.*)"
            throw refuse("\(what) with no ControlNet (no control_model.* tensors); give it as --model, and a ControlNet (a diffusers folder, hub id or single file with control_model.input_hint_block.*) as --controlnet")
        }
        if set.contains("time_embedding.linear_1.weight") || has("up_blocks.") {
            throw refuse("a diffusers UNet's weights (time_embedding.*, up_blocks.*, no controlnet_cond_embedding.*), not a ControlNet; give the model as --model")
        }
        if set.contains("time_embed.0.weight") || has("output_blocks.") {
            throw refuse("a UNet in the original layout (time_embed.*, input_blocks.*) without a ControlNet's parts (input_hint_block.*, zero_convs.*, middle_block_out.*); give a ControlNet")
        }
        if has("encoder.down") || has("decoder.up") || has("encoder.conv_in.") || has("decoder.conv_in.") {
            throw refuse("a VAE (encoder.* / decoder.*), not a ControlNet; give it as --vae")
        }
        if has("text_model.") || has("transformer.resblocks.") || has("embeddings.token_embedding.") {
            throw refuse("a text encoder (text_model.*, embeddings.token_embedding.* or transformer.resblocks.*), not a ControlNet")
        }
        let found = Set(names.map { $0.split(separator: ".").first.map(String.init) ?? $0 }).sorted()
        throw refuse("no ControlNet tensors (control_model.input_hint_block.* or input_hint_block.* in the original layout, "
            + "controlnet_cond_embedding.* in diffusers'); found \(found.isEmpty ? "no tensors" : found.prefix(8).joined(separator: ", "))")
    }

    /// The prefix of the stored keys: "" for diffusers' layout.
    public var prefix: String {
        switch self {
        case .diffusers: return ""
        case .original(let prefix): return prefix
        }
    }
}

/// The key layouts of LoRA files, told apart by their keys as diffusers' `lora_state_dict` does
/// (loaders/lora_pipeline.py; the conversions are in loaders/lora_conversion_utils.py and
/// utils/state_dict_utils.py).
public enum LoRAFormat: String, Sendable, Equatable {
    /// kohya-ss / A1111: `lora_unet_<module with _>.lora_down.weight`, `.lora_up.weight`, `.alpha`;
    /// `lora_te_` (SD 1/2 text encoder), `lora_te1_` / `lora_te2_` (SDXL's two). UNet names in the
    /// diffusers layout (SD 1/2) or the original SGM one (`input_blocks_4_1_…`, SDXL). Linear layers and
    /// convolutions (LoCon: a k×k down with a 1×1 up).
    case kohya
    /// diffusers / PEFT (`save_lora_weights`): `unet.<module>.lora_A.weight` / `lora_B.weight`,
    /// `text_encoder.…`, `text_encoder_2.…`; alpha from the `lora_adapter_metadata` header (else alpha = rank).
    case peft
    /// diffusers' older formats: attention processors (`unet.<attention>.processor.to_q_lora.down.weight`,
    /// `text_encoder.<attention>.to_q_lora.down.weight`) and the `lora.down` / `lora_linear_layer.down`
    /// layers of diffusers 0.21–0.24; alpha = rank.
    case diffusersLegacy

    static let kohyaPrefixes = ["lora_unet_", "lora_te_", "lora_te1_", "lora_te2_"]

    /// The format of a file with these keys, or nil when none is a LoRA key.
    static func detect(_ keys: [String]) -> LoRAFormat? {
        if keys.contains(where: { key in kohyaPrefixes.contains { key.hasPrefix($0) } }) { return .kohya }
        if keys.contains(where: { $0.contains(".lora_A.") || $0.contains(".lora_B.") }) { return .peft }
        if keys.contains(where: { $0.hasSuffix("lora.down.weight") || $0.hasSuffix(".lora_linear_layer.down.weight") }) {
            return .diffusersLegacy
        }
        return nil
    }
}

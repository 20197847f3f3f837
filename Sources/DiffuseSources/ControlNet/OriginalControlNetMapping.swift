import DiffuseModels
import DiffuseNN

/// diffusers `ControlNetModel` keys → the original (lllyasviel `cldm`) layout, the inverse of diffusers'
/// loaders/single_file_utils.py `convert_controlnet_checkpoint`. Stored keys are under `control_model.`
/// (lllyasviel's files) or have no prefix (thibaud/controlnet-sd21's):
///
///     time_embedding / add_embedding / conv_in / down_blocks / mid_block    as the UNet's (`OriginalUNetMapping`)
///     controlnet_cond_embedding.conv_in                                     input_hint_block.0
///     controlnet_cond_embedding.blocks.k                                    input_hint_block.(2k + 2)    (SiLUs between)
///     controlnet_cond_embedding.conv_out                                    input_hint_block.14
///     controlnet_down_blocks.i                                              zero_convs.i.0
///     controlnet_mid_block                                                  middle_block_out.0
///
/// cldm's hint block always has SD's four widths, so conv_out is module 14 — where diffusers always reads it.
/// With n widths, a plain sequence has conv_out at 2·(2(n − 1) + 1) (14 for n = 4): that slot is used when the
/// file has it, else module 14 (how diffusers, and so Fixtures/controlnet-single-file, store a two-width one).
struct OriginalControlNetMapping: WeightKeyMapping {
    /// cldm's (and diffusers' fixed) module index of the conditioning embedding's conv_out.
    static let convOutSlot = 14

    let unet: OriginalUNetMapping
    /// The number of `controlnet_cond_embedding.blocks` (2 per stride-2 stage).
    let hintBlocks: Int
    /// The `input_hint_block` module of conv_out.
    let convOut: Int

    /// The mapping for `config` of a file whose stored keys start with `prefix` ("" for none) and are
    /// `names` (which place conv_out: see the type's notes).
    init(config: ControlNetConfig, prefix: String, names: Set<String>) {
        unet = OriginalUNetMapping(config: config.unet, prefix: prefix)
        hintBlocks = 2 * max(config.conditioningEmbeddingOutChannels.count - 1, 0)
        let sequence = 2 * (hintBlocks + 1)
        func has(_ module: Int) -> Bool { names.contains("\(prefix)input_hint_block.\(module).weight") }
        convOut = !has(sequence) && has(Self.convOutSlot) ? Self.convOutSlot : sequence
    }

    var prefix: String { unet.keyPrefix }

    func owns(storedKey: String) -> Bool { unet.owns(storedKey: storedKey) }

    func storedTensor(for modelKey: String) -> StoredTensorRef? {
        original(modelKey).map { StoredTensorRef(prefix + $0) }
    }

    /// The original key (without the prefix), or nil when `key` has no counterpart.
    func original(_ key: String) -> String? {
        let p = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let leaf = p.last ?? ""
        switch p.first {
        case "controlnet_cond_embedding":
            if p.count == 3, p[1] == "conv_in" { return "input_hint_block.0.\(leaf)" }
            if p.count == 3, p[1] == "conv_out" { return "input_hint_block.\(convOut).\(leaf)" }
            if p.count == 4, p[1] == "blocks", let k = Int(p[2]), k >= 0, k < hintBlocks { return "input_hint_block.\(2 * k + 2).\(leaf)" }
            return nil
        case "controlnet_down_blocks":
            guard p.count == 3, let i = Int(p[1]), i >= 0 else { return nil }
            return "zero_convs.\(i).0.\(leaf)"
        case "controlnet_mid_block":
            return p.count == 2 ? "middle_block_out.0.\(leaf)" : nil
        case "up_blocks", "conv_norm_out", "conv_out":
            return nil  // a ControlNet has no decoder half
        default:
            return unet.original(key)
        }
    }
}

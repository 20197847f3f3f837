import DiffuseModels
import DiffuseNN

/// diffusers AutoencoderKL keys → the original layout (`first_stage_model.*`), the inverse of diffusers'
/// loaders/single_file_utils.py `convert_ldm_vae_checkpoint`:
///
///     {encoder,decoder}.conv_in / conv_out / conv_norm_out     same / same / norm_out
///     encoder.down_blocks.i.resnets.j                          encoder.down.i.block.j   (conv_shortcut → nin_shortcut)
///     encoder.down_blocks.i.downsamplers.0.conv                encoder.down.i.downsample.conv
///     decoder.up_blocks.i.resnets.j                            decoder.up.(n − 1 − i).block.j
///     decoder.up_blocks.i.upsamplers.0.conv                    decoder.up.(n − 1 − i).upsample.conv
///     *.mid_block.resnets.0 / resnets.1                        *.mid.block_1 / block_2
///     *.mid_block.attentions.0.{group_norm,to_q,to_k,to_v,to_out.0}   *.mid.attn_1.{norm,q,k,v,proj_out}
///     quant_conv / post_quant_conv                             same
///
/// The attention's q/k/v/proj_out are 1×1 convs [C, C, 1, 1] there and linears [C, C] here: a view
/// (`conv_attn_to_linear`). Legacy diffusers names (`query`, `key`, `value`, `proj_attn`) map the same.
struct OriginalVAEMapping: WeightKeyMapping {
    static let prefix = "first_stage_model."
    static let attentionLeaves = ["group_norm": "norm", "to_q": "q", "to_k": "k", "to_v": "v", "to_out.0": "proj_out",
                                  "query": "q", "key": "k", "value": "v", "proj_attn": "proj_out"]

    /// Number of resolution levels (`len(block_out_channels)`).
    let levels: Int

    init(config: AutoencoderKLConfig) { levels = config.blockOutChannels.count }

    func owns(storedKey: String) -> Bool { storedKey.hasPrefix(Self.prefix) }

    func storedTensor(for modelKey: String) -> StoredTensorRef? {
        let p = modelKey.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if p.count == 2, p[0] == "quant_conv" || p[0] == "post_quant_conv" { return StoredTensorRef(Self.prefix + modelKey) }
        guard p.count >= 3, p[0] == "encoder" || p[0] == "decoder" else { return nil }
        let side = p[0], leaf = p[p.count - 1]
        func ref(_ middle: String, _ transform: WeightTransform = .identity) -> StoredTensorRef {
            StoredTensorRef("\(Self.prefix)\(side).\(middle).\(leaf)", transform)
        }
        func resnet(_ name: String) -> String? {
            ["norm1", "conv1", "norm2", "conv2"].contains(name) ? name : name == "conv_shortcut" ? "nin_shortcut" : nil
        }
        switch p[1] {
        case "conv_in", "conv_out":
            return p.count == 3 ? ref(p[1]) : nil
        case "conv_norm_out":
            return p.count == 3 ? ref("norm_out") : nil
        case "down_blocks" where side == "encoder", "up_blocks" where side == "decoder":
            guard p.count >= 6, let i = Int(p[2]), (0..<levels).contains(i) else { return nil }
            let (part, level) = side == "encoder" ? ("down", i) : ("up", levels - 1 - i)
            if p[3] == "resnets", p.count == 7, Int(p[4]) != nil, let name = resnet(p[5]) {
                return ref("\(part).\(level).block.\(p[4]).\(name)")
            }
            if p[3] == (side == "encoder" ? "downsamplers" : "upsamplers"), p.count == 7, p[4] == "0", p[5] == "conv" {
                return ref("\(part).\(level).\(side == "encoder" ? "downsample" : "upsample").conv")
            }
            return nil
        case "mid_block":
            if p.count == 6, p[2] == "resnets", let j = Int(p[3]), j < 2, let name = resnet(p[4]) {
                return ref("mid.block_\(j + 1).\(name)")
            }
            if p.count >= 6, p[2] == "attentions", p[3] == "0",
               let name = Self.attentionLeaves[p[4..<(p.count - 1)].joined(separator: ".")] {
                return ref("mid.attn_1.\(name)", name != "norm" && leaf == "weight" ? .squeezeTrailing : .identity)
            }
            return nil
        default:
            return nil
        }
    }
}

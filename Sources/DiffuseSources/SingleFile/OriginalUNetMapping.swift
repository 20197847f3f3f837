import DiffuseModels
import DiffuseNN

/// diffusers UNet2DConditionModel keys → the original layout (`model.diffusion_model.*` in a full checkpoint), the
/// inverse of diffusers' loaders/single_file_utils.py `convert_ldm_unet_checkpoint`:
///
///     time_embedding.linear_1 / linear_2        time_embed.0 / time_embed.2
///     add_embedding.linear_1 / linear_2         label_emb.0.0 / label_emb.0.2     (SDXL's text_time added embedding)
///     conv_in                                   input_blocks.0.0
///     down_blocks.i.resnets.j                   input_blocks.(start_i + j).0     start_i = 1 + Σ_{k<i} (layers_k + 1)
///     down_blocks.i.attentions.j                input_blocks.(start_i + j).1
///     down_blocks.i.downsamplers.0.conv         input_blocks.(start_i + layers_i).0.op
///     mid_block.resnets.0 / attentions.0 / resnets.1    middle_block.0 / .1 / .2
///     up_blocks.i.resnets.j                     output_blocks.(ustart_i + j).0    ustart_i = Σ_{k<i} (layers'_k + 1)
///     up_blocks.i.attentions.j                  output_blocks.(ustart_i + j).1
///     up_blocks.i.upsamplers.0.conv             output_blocks.(ustart_i + layers'_i).(2 with attention, else 1).conv
///     conv_norm_out / conv_out                  out.0 / out.2
///
/// Resnet leaves: norm1 → in_layers.0, conv1 → in_layers.2, time_emb_proj → emb_layers.1, norm2 →
/// out_layers.0, conv2 → out_layers.3, conv_shortcut → skip_connection. Transformer leaves are the same
/// in both layouts, however many `transformer_blocks.K` an attention has (SDXL's
/// `transformer_layers_per_block`). `layers'` is `layers_per_block` reversed; up blocks have one resnet more.
///
/// The same layout, under another prefix, holds a ControlNet's UNet-shaped part (`OriginalControlNetMapping`:
/// `control_model.`, or none).
struct OriginalUNetMapping: WeightKeyMapping {
    /// The UNet's prefix in a full checkpoint.
    static let prefix = "model.diffusion_model."

    /// The prefix of the stored keys this mapping reads and owns (`prefix` unless given).
    let keyPrefix: String
    let downStart: [Int]
    let downLayers: [Int]
    let upStart: [Int]
    let upLayers: [Int]
    let upHasAttention: [Bool]

    init(config: UNet2DConditionConfig, prefix: String = OriginalUNetMapping.prefix) {
        keyPrefix = prefix
        let down = config.layersPerBlockList
        let up = down.reversed().map { $0 + 1 }
        downLayers = down
        upLayers = up
        downStart = down.indices.map { i in 1 + down[..<i].reduce(0) { $0 + $1 + 1 } }
        upStart = up.indices.map { i in up[..<i].reduce(0, +) }
        upHasAttention = config.upBlockTypes.map { $0.contains("CrossAttn") }
    }

    func owns(storedKey: String) -> Bool { storedKey.hasPrefix(keyPrefix) }

    func storedTensor(for modelKey: String) -> StoredTensorRef? {
        original(modelKey).map { StoredTensorRef(keyPrefix + $0) }
    }

    static let fixed = ["time_embedding.linear_1": "time_embed.0", "time_embedding.linear_2": "time_embed.2",
                        "add_embedding.linear_1": "label_emb.0.0", "add_embedding.linear_2": "label_emb.0.2",
                        "conv_in": "input_blocks.0.0", "conv_norm_out": "out.0", "conv_out": "out.2"]
    static let resnetLeaves = ["norm1": "in_layers.0", "conv1": "in_layers.2", "time_emb_proj": "emb_layers.1",
                               "norm2": "out_layers.0", "conv2": "out_layers.3", "conv_shortcut": "skip_connection"]

    /// The original key (without the prefix), or nil when `key` has no counterpart.
    func original(_ key: String) -> String? {
        let p = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        func rest(_ from: Int) -> String? { p.count > from ? p[from...].joined(separator: ".") : nil }
        func resnet(_ from: Int) -> String? {
            guard p.count == from + 2, let leaf = Self.resnetLeaves[p[from]] else { return nil }
            return leaf + "." + p[from + 1]
        }
        func index(_ i: Int) -> Int? { p.count > i ? Int(p[i]) : nil }
        if p.count == 3, let base = Self.fixed[p[0] + "." + p[1]] { return base + "." + p[2] }
        if p.count == 2, let base = Self.fixed[p[0]] { return base + "." + p[1] }
        switch p.first {
        case "down_blocks":
            guard let i = index(1), downStart.indices.contains(i), p.count > 3 else { return nil }
            switch p[2] {
            case "resnets":
                guard let j = index(3), j < downLayers[i], let leaf = resnet(4) else { return nil }
                return "input_blocks.\(downStart[i] + j).0.\(leaf)"
            case "attentions":
                guard let j = index(3), j < downLayers[i], let tail = rest(4) else { return nil }
                return "input_blocks.\(downStart[i] + j).1.\(tail)"
            case "downsamplers":
                guard p.count == 6, p[3] == "0", p[4] == "conv" else { return nil }
                return "input_blocks.\(downStart[i] + downLayers[i]).0.op.\(p[5])"
            default: return nil
            }
        case "mid_block":
            guard let j = index(2) else { return nil }
            if p[1] == "resnets", j < 2, let leaf = resnet(3) { return "middle_block.\(2 * j).\(leaf)" }
            if p[1] == "attentions", j == 0, let tail = rest(3) { return "middle_block.1.\(tail)" }
            return nil
        case "up_blocks":
            guard let i = index(1), upStart.indices.contains(i), p.count > 3 else { return nil }
            switch p[2] {
            case "resnets":
                guard let j = index(3), j < upLayers[i], let leaf = resnet(4) else { return nil }
                return "output_blocks.\(upStart[i] + j).0.\(leaf)"
            case "attentions":
                guard let j = index(3), j < upLayers[i], let tail = rest(4) else { return nil }
                return "output_blocks.\(upStart[i] + j).1.\(tail)"
            case "upsamplers":
                guard p.count == 6, p[3] == "0", p[4] == "conv" else { return nil }
                return "output_blocks.\(upStart[i] + upLayers[i] - 1).\(upHasAttention[i] ? 2 : 1).conv.\(p[5])"
            default: return nil
            }
        default:
            return nil
        }
    }
}

/// kohya-ss's SDXL LoRAs name UNet layers by the original (SGM) UNet's blocks: `input_blocks_4_1_…`,
/// `middle_block_1_…`, `output_blocks_0_1_…`. diffusers renames them to its blocks before converting the
/// keys (loaders/lora_conversion_utils.py `_maybe_map_sgm_blocks_to_diffusers`, `delimiter="_"`,
/// `block_slice_pos=5`), which needs the UNet's `layers_per_block`:
///
///     input_blocks_i_j   (i ≥ 1)  →  down_blocks_b_<resnets|attentions>_l,  b = (i−1) / (L+1), l = (i−1) % (L+1)
///                                    (`…_op` → down_blocks_b_downsamplers_0)
///     middle_block_0|1|2         →  mid_block_resnets_0 | mid_block_attentions_0 | mid_block_resnets_1
///     output_blocks_i_j          →  up_blocks_b_<resnets|attentions|upsamplers>_l, b = i / (L+1), l = i % (L+1)
///
/// A file with both layouts keeps only the diffusers-named keys. Keys of the text encoders and outside
/// the three block lists (and `input_blocks_0_0`, conv_in) are kept as they are.
public enum SGMBlockMapping {
    static let sgm = ["input_blocks", "middle_block", "output_blocks"]
    static let diffusers = ["down_blocks", "mid_block", "up_blocks"]

    /// stem → renamed stem (nil: dropped, or a block index diffusers rejects) for every stem, or nil
    /// when the stems are not in the SGM layout (nothing to rename).
    public static func rename(_ stems: [String], layersPerBlock: Int) -> [String: String?]? {
        let isSGM = { (s: String) in sgm.contains { s.contains($0) } }
        guard stems.contains(where: isSGM) else { return nil }
        if stems.contains(where: { s in !isSGM(s) && diffusers.contains { s.contains($0) } }) {
            return Dictionary(uniqueKeysWithValues: stems.map { ($0, isSGM($0) ? nil : $0) })
        }
        return Dictionary(uniqueKeysWithValues: stems.map { ($0, renamed($0, layersPerBlock: layersPerBlock)) })
    }

    static func renamed(_ stem: String, layersPerBlock: Int) -> String? {
        if stem.contains("text") || !sgm.contains(where: { stem.contains($0) }) || stem.contains("input_blocks_0_0") {
            return stem
        }
        let parts = stem.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 5, let id = Int(parts[4]) else { return nil }
        let inner = ["resnets", "attentions", "upsamplers"]
        let l1 = layersPerBlock + 1
        var middle: [String]
        if stem.contains("input_blocks") {
            guard let innerId = Int(parts[5]), inner.indices.contains(innerId), id >= 1 else { return nil }
            let isOp = stem.contains("op")
            middle = ["\((id - 1) / l1)", isOp ? "downsamplers" : inner[innerId], isOp ? "0" : "\((id - 1) % l1)"]
        } else if stem.contains("middle_block") {
            switch id {
            case 0: middle = ["resnets", "0"]
            case 1: middle = ["attentions", "0"]
            case 2: middle = ["resnets", "1"]
            default: return nil
            }
            return (parts[..<4] + middle + parts[5...]).joined(separator: "_")
        } else {
            guard let innerId = Int(parts[5]), inner.indices.contains(innerId) else { return nil }
            middle = ["\(id / l1)", inner[innerId], innerId < 2 ? "\(id % l1)" : "0"]
        }
        return (parts[..<4] + middle + parts[6...]).joined(separator: "_")
    }
}

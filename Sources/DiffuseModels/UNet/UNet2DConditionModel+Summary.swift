import DiffuseCore
import DiffuseNN

/// Facts about a built UNet for `diffuse inspect` and logs.
extension UNet2DConditionModel {
    /// Total parameter count (860 M for SD 1.5, 866 M for SD 2.x, 2.6 G for SDXL base).
    public var parameterCount: Int { storedParameters.values.reduce(0, +) }

    /// One line per block: type, channels, layers, attention heads × head dim and transformer depths
    /// other than 1 (SDXL: "… 20 heads × 64, depth 10"); then SDXL's added embedding.
    public var blockSummary: [String] {
        var lines: [String] = []
        let n = config.blockCount
        for i in 0..<n {
            let a = config.downBlockAttention(i)
            lines.append("down_blocks.\(i): \(config.downBlockTypes[i]) \(config.blockOutChannels[i]) ch × \(config.layersPerBlockList[i])"
                         + (config.downBlockTypes[i].hasPrefix("CrossAttn") ? Self.attentionNote(a) : ""))
        }
        let m = config.midBlockAttention
        lines.append("mid_block: UNetMidBlock2DCrossAttn \(m.channels) ch" + Self.attentionNote(m))
        for i in 0..<n {
            let a = config.upBlockAttention(i)
            lines.append("up_blocks.\(i): \(config.upBlockTypes[i]) \(a.channels) ch × \(config.layersPerBlockList[n - 1 - i] + 1)"
                         + (config.upBlockTypes[i].hasPrefix("CrossAttn") ? Self.attentionNote(a) : ""))
        }
        if let added = encoder.addedEmbedding {
            lines.append("add_embedding: text_time \(added.inputWidth) → \(config.timeEmbedDim)")
        }
        return lines
    }

    /// ", 8 heads × 40", plus the depth when not 1 (", depth 10", or one per attention ", depths [2, 1]").
    private static func attentionNote(_ a: UNetBlockAttention) -> String {
        let depths = Set(a.transformerLayers)
        let depth = depths == [1] ? "" : depths.count == 1 ? ", depth \(a.transformerLayers[0])" : ", depths \(a.transformerLayers)"
        return ", \(a.heads) heads × \(a.headDim)" + depth
    }
}

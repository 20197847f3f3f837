import DiffuseCore
import DiffuseNN

/// Facts about a built UNet for `diffuse inspect` and logs.
extension UNet2DConditionModel {
    /// Total parameter count (860 M for SD 1.5, 866 M for SD 2.x).
    public var parameterCount: Int { storedParameters.values.reduce(0, +) }

    /// One line per block: type, channels, layers, attention heads × head dim.
    public var blockSummary: [String] {
        var lines: [String] = []
        let n = config.blockCount
        for i in 0..<n {
            let a = config.downBlockAttention(i)
            lines.append("down_blocks.\(i): \(config.downBlockTypes[i]) \(config.blockOutChannels[i]) ch × \(config.layersPerBlockList[i])"
                         + (config.downBlockTypes[i].hasPrefix("CrossAttn") ? ", \(a.heads) heads × \(a.headDim)" : ""))
        }
        let m = config.midBlockAttention
        lines.append("mid_block: UNetMidBlock2DCrossAttn \(m.channels) ch, \(m.heads) heads × \(m.headDim)")
        for i in 0..<n {
            let a = config.upBlockAttention(i)
            lines.append("up_blocks.\(i): \(config.upBlockTypes[i]) \(a.channels) ch × \(config.layersPerBlockList[n - 1 - i] + 1)"
                         + (config.upBlockTypes[i].hasPrefix("CrossAttn") ? ", \(a.heads) heads × \(a.headDim)" : ""))
        }
        return lines
    }
}

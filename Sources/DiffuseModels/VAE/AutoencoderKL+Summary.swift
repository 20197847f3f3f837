import DiffuseCore

/// Facts about a built VAE for `diffuse inspect` and logs.
extension AutoencoderKL {
    /// Number of parameters (every checkpoint tensor is used, so this is the checkpoint's count;
    /// 83.7 M for SD 1.x / 2.x).
    public var parameterCount: Int { storedDTypes.values.reduce(0, +) }

    /// One line, e.g. `AutoencoderKL: blocks [128, 256, 512, 512] × 2 resnets, 32 groups, latent 4,
    /// 8× down-sampling, mid-block attention, scaling_factor 0.18215, 83.7M parameters, f32 (stored bf16)`.
    public var summary: String {
        let c = config
        let millions = (Double(parameterCount) / 1e5).rounded() / 10
        let stored = storedDTypes.keys.map(\.description).sorted().joined(separator: "+")
        return "AutoencoderKL: blocks \(c.blockOutChannels) × \(c.layersPerBlock) resnets, \(c.normNumGroups) groups, "
            + "latent \(c.latentChannels), \(vaeScaleFactor)× down-sampling, "
            + (c.midBlockAddAttention ? "mid-block attention" : "no mid-block attention")
            + ", scaling_factor \(c.scalingFactor)" + (c.shiftFactor.map { ", shift_factor \($0)" } ?? "")
            + ", \(millions)M parameters, \(dtype) (stored \(stored))"
    }
}

import DiffuseCore

/// Facts about a built tiny autoencoder for `diffuse inspect` and logs.
extension AutoencoderTiny {
    /// Number of parameters (every checkpoint tensor is used; 2.4 M for TAESD).
    public var parameterCount: Int { storedDTypes.values.reduce(0, +) }

    /// One line, e.g. `AutoencoderTiny: encoder 4 × 64 channels (1, 3, 3, 3 blocks), decoder 4 × 64 channels
    /// (3, 3, 3, 1 blocks), relu, latent 4, 8× down-sampling, scaling_factor 1.0, 2.4M parameters, f32 (stored f32)`.
    public var summary: String {
        let c = config
        let count = parameterCount >= 100_000 ? "\((Double(parameterCount) / 1e5).rounded() / 10)M"
            : "\((Double(parameterCount) / 100).rounded() / 10)k"
        let stored = storedDTypes.keys.map(\.description).sorted().joined(separator: "+")
        func stages(_ channels: [Int], _ blocks: [Int]) -> String {
            "\(channels.count) × \(channels.first ?? 0) channels (\(blocks.map(String.init).joined(separator: ", ")) blocks)"
        }
        return "AutoencoderTiny: encoder \(stages(c.encoderBlockOutChannels, c.numEncoderBlocks)), "
            + "decoder \(stages(c.decoderBlockOutChannels, c.numDecoderBlocks)), \(c.actFn), latent \(c.latentChannels), "
            + "\(vaeScaleFactor)× down-sampling, scaling_factor \(c.scalingFactor), \(count) parameters, "
            + "\(dtype) (stored \(stored))"
    }
}

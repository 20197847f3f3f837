/// What the loaded pipeline tells the memory prediction (`GenerationLimits+Memory.swift`).
extension StableDiffusionPipeline {
    /// The loaded components' parameters (held as `precision` says).
    public var weightFootprint: WeightFootprint {
        .parameters(unet: unet.parameterCount,
                    textEncoder: (textEncoder?.parameterCount ?? 0) + (textEncoder2?.parameterCount ?? 0),
                    vae: vae.parameterCount)
    }
}

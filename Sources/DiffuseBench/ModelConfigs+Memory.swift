import DiffusePipeline

extension ModelConfigs {
    /// The memory model of these configs (the one the pipeline refuses runs with).
    public var memoryModel: MemoryModel { MemoryModel(unet: unet, vae: .autoencoderKL(vae), textEncoder: textEncoder, textEncoder2: textEncoder2) }
}

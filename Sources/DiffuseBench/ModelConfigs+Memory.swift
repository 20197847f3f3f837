import DiffusePipeline

extension ModelConfigs {
    /// The memory model of these configs (the one the pipeline refuses runs with), decoding with the
    /// family's AutoencoderKL or the tiny autoencoder.
    public func memoryModel(vae choice: BenchVAE = .kl) -> MemoryModel {
        MemoryModel(unet: unet, vae: choice.config(vae), textEncoder: textEncoder, textEncoder2: textEncoder2)
    }
}

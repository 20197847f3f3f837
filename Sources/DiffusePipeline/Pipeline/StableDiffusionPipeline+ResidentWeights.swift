import DiffuseCore
import DiffuseSources

/// Stage-by-stage resident memory: the text encoder is needed only for the prompt, the UNet only while
/// denoising, the VAE only to encode / decode. Weights that are zero-copy views of memory-mapped files
/// (f32 files in f32 mode, f16 files in f16 mode, …) become resident as a stage reads them; dropping them
/// when the stage ends keeps the peak at the largest stage (the UNet's) instead of the sum of all three.
extension StableDiffusionPipeline {
    /// Drops `component`'s memory-mapped weight pages from resident memory (no-op when
    /// `releasesWeightsBetweenStages` is false or its weights are held in memory). A later call reads
    /// them back from the page cache. For a single-file checkpoint the one file holds every component,
    /// so the next stage faults its own part back in.
    public func releaseResidentWeights(_ component: SingleFileCheckpoint.Component) {
        guard releasesWeightsBetweenStages else { return }
        for file in mappedWeights[component] ?? [] { file.releaseResidentPages() }
    }

    /// The memory-mapped files behind `component`'s weights (resident only while in use).
    public func mappedWeights(_ component: SingleFileCheckpoint.Component) -> [MappedFile] {
        mappedWeights[component] ?? []
    }
}

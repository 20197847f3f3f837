import DiffuseCore
import DiffuseCPU
import DiffuseSources

/// Stage-by-stage resident memory: the text encoder is needed only for the prompt, the UNet only while
/// denoising, the VAE only to encode / decode. Weights that are zero-copy views of memory-mapped files
/// (f32 files in f32 mode, f16 files in f16 mode, …) become resident as a stage reads them; dropping them
/// when the stage ends keeps the peak at the largest stage (the UNet's) instead of the sum of all three.
/// The bf16 kernel's packed weight copies (`BF16WeightCache`, up to 4 GiB) are dropped with the text
/// encoders' and the UNet's pages: the VAE decode, whose activations peak at the full image size, then
/// runs without them (with the other changes of docs/benchmarks.md "SDXL and SD-Turbo", a 1024² SDXL run
/// in bf16 went from 14.1 to 11.7 GB peak RSS), and the next run packs
/// its weights again on its first step (seconds, against minutes of steps). Shared by a pipeline and its
/// stages.
public final class ResidentWeights: @unchecked Sendable {
    /// The memory-mapped files behind each component's weights.
    public let files: [SingleFileCheckpoint.Component: [MappedFile]]
    private let lock = Lock()
    private var enabled = true

    init(files: [SingleFileCheckpoint.Component: [MappedFile]]) { self.files = files }

    /// Whether `release` drops pages (default true).
    public var releasesBetweenStages: Bool {
        get { lock.withLock { enabled } }
        set { lock.withLock { enabled = newValue } }
    }

    /// Drops `component`'s memory-mapped weight pages from resident memory (no-op when disabled or its
    /// weights are held in memory). A later use reads them back from the page cache. For a single-file
    /// checkpoint the one file holds every component, so the next stage faults its own part back in.
    public func release(_ component: SingleFileCheckpoint.Component) {
        guard releasesBetweenStages else { return }
        for file in files[component] ?? [] { file.releaseResidentPages() }
        if component != .vae, BF16WeightCache.shared.bytes > 0 {
            BF16WeightCache.shared.removeAll()
            HostAllocator.returnFreedMemory()
        }
    }
}

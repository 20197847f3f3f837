import DiffuseCompile
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffusePipeline
import DiffuseSources

/// The components a benchmark cell runs, built once per precision and shared by the cells:
/// synthetic (`--arch`, seeded random weights) or a diffusers folder (`--model`).
///
/// Precision as `PrecisionPolicy` decides it for the pipeline — each weight's dtype, f32 activations,
/// and for accelerated bf16 the weight GEMMs on the AVX512-BF16 kernel through `BF16GEMMBackend` — so a
/// cell runs exactly what `diffuse generate --precision` runs.
public final class BenchModels: @unchecked Sendable {
    /// "sd15", "sd21", "sdxl", "sd-turbo" or the folder's path.
    public let name: String
    public let precision: Precision
    /// The backend the UNet computes with (`PrecisionPolicy.backend`).
    public let backend: any Backend
    public let baseBackend: any Backend
    public let unet: UNet2DConditionModel?
    public let vae: (any LatentAutoencoder)?
    /// The tiny autoencoder (TAESD's architecture, seeded random weights) of `--vae tiny` cells; nil unless asked.
    public let tinyVAE: AutoencoderTiny?
    public let textEncoder: CLIPTextModel?
    /// SDXL's `text_encoder_2` (CLIPTextModelWithProjection), built where `textEncoder` is; nil for SD 1.x / 2.x.
    public let textEncoder2: CLIPTextModel?
    /// The loaded folder (nil for synthetic models), for its stage-by-stage weight release.
    let pipeline: StableDiffusionPipeline?
    /// The UNet compiled (`--compile`): built on a `TracingBackend`, so `unet` runs eagerly through it.
    public let compiledUNet: CompiledUNet?
    /// Tensor bytes the weights hold (HostAllocator's count while building; mapped f32 files count 0).
    public let weightBytes: Int

    /// Seeded random weights for `arch`, only the components `component` needs.
    /// With `profile`, the models compute through a `ProfilingBackend` around the outermost backend.
    /// With `compile`, the UNet computes through a `TracingBackend` and `compiledUNet` is set.
    /// With `tiny`, a tiny autoencoder too (`tinyVAE`).
    public init(arch: SyntheticArch, component: BenchComponent, precision: Precision, seed: UInt64 = 0,
                backend base: any Backend, profile: OpProfile? = nil, compile: Bool = false, tiny: Bool = false) throws {
        name = arch.rawValue
        self.precision = precision
        let policy = PrecisionPolicy(precision)
        let compute = Self.profiled(policy.backend(for: .unet, on: base), profile)
        backend = compute
        baseBackend = Self.profiled(base, profile)
        let before = HostAllocator.liveBytes
        // Stored as the pipeline stores them (`PrecisionPolicy.storageDType`); an all-f32 store converts
        // nothing, a mixed one hands each tensor out in its own dtype.
        func weights(_ component: PrecisionPolicy.Component, seed: UInt64, _ what: String) -> WeightStore {
            SyntheticWeights(seed: seed, dtype: { policy.storageDType(component, key: $0, shape: $1, stored: .f32) })
                .store(source: "\(arch) \(what) (random)",
                       computeDType: policy.weightDType(component) == .f32 ? .f32 : nil)
        }
        unet = try component.needsUNet ? UNet2DConditionModel(
            config: arch.unet, weights: weights(.unet, seed: seed, "UNet"),
            backend: compile ? TracingBackend(wrapping: compute) : compute) : nil
        compiledUNet = try compile ? unet.map { try CompiledUNet($0) } : nil
        textEncoder = try component.needsTextEncoder ? CLIPTextModel(
            config: arch.textEncoder, weights: weights(.textEncoder, seed: seed &+ 1, "text encoder"),
            backend: Self.profiled(policy.backend(for: .textEncoder, on: base), profile)) : nil
        textEncoder2 = try component.needsTextEncoder ? arch.textEncoder2.map {
            try CLIPTextModel(config: $0, weights: weights(.textEncoder2, seed: seed &+ 3, "text encoder 2"),
                              backend: Self.profiled(policy.backend(for: .textEncoder2, on: base), profile))
        } : nil
        vae = try component.needsVAE ? AutoencoderKL(
            config: arch.vae, weights: weights(.vae, seed: seed &+ 2, "VAE"),
            backend: Self.profiled(policy.backend(for: .vae, on: base), profile)) : nil
        tinyVAE = try component.needsVAE && tiny ? Self.tinyAutoencoder(seed: seed, base, profile) : nil
        weightBytes = HostAllocator.liveBytes - before
        pipeline = nil
    }

    /// A diffusers folder, loaded as `diffuse generate` loads it. With `profile`, the profiler wraps the
    /// CPU backend under the pipeline's bf16 wrapper, so bf16 GEMMs count as "outside backend ops".
    public init(folder: ModelFolder, component: BenchComponent, precision: Precision, backend base: any Backend,
                profile: OpProfile? = nil, compile: Bool = false, tiny: Bool = false) throws {
        name = folder.path
        self.precision = precision
        baseBackend = Self.profiled(base, profile)
        let before = HostAllocator.liveBytes
        let pipeline = try StableDiffusionPipeline(folder: folder, precision: precision, backend: baseBackend,
                                                   compile: compile)
        self.pipeline = pipeline
        backend = pipeline.backend
        unet = pipeline.unet
        compiledUNet = pipeline.compiledUNet
        vae = pipeline.vae
        textEncoder = pipeline.textEncoder
        textEncoder2 = pipeline.textEncoder2
        tinyVAE = try component.needsVAE && tiny ? Self.tinyAutoencoder(seed: 0, baseBackend, nil) : nil
        // Weights stored in the dtype they compute in stay memory-mapped (not counted by HostAllocator)
        // and are resident while their stage runs. A single-file checkpoint is one mapped file holding all
        // components: counted once.
        var seen = Set<ObjectIdentifier>()
        let mapped = [SingleFileCheckpoint.Component.textEncoder, .textEncoder2, .unet, .vae]
            .flatMap { pipeline.mappedWeights($0) }.filter { seen.insert(ObjectIdentifier($0)).inserted }
        weightBytes = HostAllocator.liveBytes - before + mapped.reduce(0) { $0 + $1.byteCount }
    }

    /// What the pipeline does when a stage ends: drop `component`'s memory-mapped weights from resident
    /// memory (`StableDiffusionPipeline.releaseResidentWeights`; synthetic weights live in memory: no-op).
    public func releaseResidentWeights(_ component: SingleFileCheckpoint.Component) {
        pipeline?.releaseResidentWeights(component)
    }

    /// TAESD (diffusers' `AutoencoderTiny()` defaults) with seeded random f32 weights, as the pipeline runs a
    /// `--vae` tiny autoencoder (f32 in every precision: `PrecisionPolicy` keeps the VAE in f32).
    static func tinyAutoencoder(seed: UInt64, _ base: any Backend, _ profile: OpProfile?) throws -> AutoencoderTiny {
        try AutoencoderTiny(config: BenchVAE.tinyConfig,
                            weights: SyntheticWeights(seed: seed &+ 4).store(source: "tiny autoencoder (random)", computeDType: .f32),
                            backend: profiled(base, profile))
    }

    static func profiled(_ backend: any Backend, _ profile: OpProfile?) -> any Backend {
        profile.map { ProfilingBackend(base: backend, profile: $0) } ?? backend
    }

    /// Sets the attention processor of every attention layer of every component built.
    public func setAttention(_ choice: AttentionChoice) throws {
        try unet?.setAttentionProcessor(choice.processor)
        try vae?.setAttentionProcessor(choice.processor)
        try textEncoder?.setAttentionProcessor(choice.processor)
        try textEncoder2?.setAttentionProcessor(choice.processor)
    }
}

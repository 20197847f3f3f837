import DiffuseCore
import DiffuseCPU
import DiffuseSources

/// What a `Precision` means on this machine — the one place that decides how every weight is stored and
/// how every component computes. The pipeline (`StableDiffusionPipeline+Weights.swift`), the benchmark's
/// synthetic models (`BenchModels`) and the memory model (`WeightFootprint`) all ask it; the CPU kernels
/// decide nothing: they compute in f32 and read each weight in the dtype it is stored in.
///
/// Decisions, with their reasons:
/// - **Activations are f32 in every mode** (`computeDType`), so only the weights (and, for accelerated
///   bf16, the inputs of the weight GEMMs) are rounded — the image stays close to the f32 one. Keeping
///   intermediates in f16 between ops would add one rounding per op for no speed-up on a CPU (Swift
///   scalarises `Float16` arithmetic on x86-64: measured on Zen 4, f16 only pays for storage).
/// - **Weight matrices stay in their reduced dtype** (`storageDType`): f16 / bf16 Linear, convolution and
///   embedding weights are never widened in memory. The f32 GEMM converts them element by element while
///   it packs the block its micro-kernel reads next (`HalfMatrix` in DiffuseCPU; the packing an f32
///   weight gets too), and the Winograd filter transform reads them through the same conversion. Caching
///   an f32 copy instead would spend exactly the memory `--precision f16` is chosen to save (the SD 1.5
///   UNet: 1.6 GiB more). Measured on Zen 4 (`docs/benchmarks.md`), f16 now runs at the f32 speed.
/// - **Vectors are f32** (biases, norm scales and shifts, any tensor of rank ≤ 1) and so is the text
///   encoder's position table: converted once at load, exactly (they are < 0.1 % of the weights), so no
///   op ever converts a weight per call.
/// - **bf16 on a CPU with AVX512-BF16** (`bf16Accelerated`): the UNet and text encoder compute through
///   `BF16GEMMBackend`, which rounds the f32 activation to bf16 while packing it for the kernel (never
///   stored), keeps every weight packed in the kernel's panel layout once (`BF16WeightCache`: the bf16
///   weights' size again, ≈ 1.7 GB for the SD 1.5 UNet, bounded by its `capacityBytes`, 4 GiB) and returns f32.
///   Each output then differs from the f32 op by at most ≈ 2⁻⁹ · Σ|w·x| (the input rounding) on top of
///   the weights' own rounding. Without AVX512-BF16, bf16 weights take the f16 path.
/// - **Text encoders stored in f16 stay f16 in bf16 mode** (`storageDType`): they run once per prompt, so
///   the bf16 kernel saves a second or two a run at most (SDXL's OpenCLIP-bigG on 2 cores), while keeping
///   them as mapped f16 views lets the pipeline drop them after the prompt stage (SDXL's 1.6 GB of text
///   encoders) and keeps their packings out of `BF16WeightCache`, whose room the UNet needs: what lets a
///   1024² SDXL run in bf16 fit in 12 GiB (docs/benchmarks.md). They are also more exact (f16 keeps 3 more
///   mantissa bits than bf16). Text encoders stored in f32 are converted to bf16 as before.
/// - **The VAE** computes in f32 in every mode (diffusers too upcasts SD VAEs, `force_upcast`, because
///   their activations overflow in f16). Its weights are f16 in f16 mode — what fp16 checkpoints store;
///   with stage-by-stage release the whole f16 SD 1.5 pipeline peaks near 2 GiB — and f32 otherwise
///   (bf16's 8-bit mantissa is not worth 80 MB on the decoder).
public struct PrecisionPolicy: Sendable, Equatable {
    public typealias Component = SingleFileCheckpoint.Component

    public let precision: Precision
    /// Whether bf16 weight products run on the AVX512-BF16 kernel (this CPU has it).
    public let bf16Accelerated: Bool
    /// The most bytes of packed weight copies the bf16 kernel keeps (`BF16WeightCache.capacityBytes`).
    public let packedCapacityBytes: Int

    public init(_ precision: Precision, bf16Accelerated: Bool = BF16GEMMBackend.isAccelerated,
                packedCapacityBytes: Int = BF16WeightCache.shared.capacityBytes) {
        self.precision = precision
        self.bf16Accelerated = bf16Accelerated
        self.packedCapacityBytes = packedCapacityBytes
    }

    /// The dtype of `component`'s weight matrices in memory.
    public func weightDType(_ component: Component) -> DType {
        switch (precision, component) {
        case (.f32, _), (.bf16, .vae): .f32
        case (.f16, _): .f16
        case (.bf16, _): .bf16
        }
    }

    /// The dtype one stored tensor of `component` is held in: integers as stored; vectors (rank ≤ 1) and
    /// the position table in f32; text-encoder matrices stored in f16 as f16 in bf16 mode; other floats in
    /// `weightDType(component)`.
    public func storageDType(_ component: Component, key: String, shape: [Int], stored: DType) -> DType {
        guard stored.isFloatingPoint else { return stored }
        if shape.count <= 1 || key.contains("position_embedding") { return .f32 }
        if precision == .bf16, component == .textEncoder || component == .textEncoder2, stored == .f16 { return .f16 }
        return weightDType(component)
    }

    /// Activations and arithmetic: f32 for every component.
    public var computeDType: DType { .f32 }

    /// Whether `component` computes through `BF16GEMMBackend` (and so keeps packed weight copies).
    public func usesBF16Kernel(_ component: Component) -> Bool {
        bf16Accelerated && weightDType(component) == .bf16
    }

    /// The backend `component` computes with: `base`, wrapped in `BF16GEMMBackend` where `usesBF16Kernel`.
    public func backend(for component: Component, on base: any Backend) -> any Backend {
        usesBF16Kernel(component) ? BF16GEMMBackend(base: base) : base
    }

    /// Bytes `component`'s weights hold for `parameters` parameters (vectors counted at the matrices'
    /// dtype: they are < 0.1 %), with the bf16 kernel's packed copies (`packedBytes`).
    public func weightBytes(_ component: Component, parameters: Int) -> Int {
        parameters * weightDType(component).byteSize + packedBytes(component, parameters: parameters)
    }

    /// Bytes of packed copies the bf16 kernel keeps for `component`: its bf16 weights' size again, at most
    /// `packedCapacityBytes` (the cache keeps what fits and packs the rest per call).
    public func packedBytes(_ component: Component, parameters: Int) -> Int {
        usesBF16Kernel(component) ? min(2 * parameters, packedCapacityBytes) : 0
    }
}

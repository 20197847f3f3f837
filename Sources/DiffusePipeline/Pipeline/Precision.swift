import DiffuseCore

/// How the model weights are held and computed with (`--precision`).
///
/// | mode | weights in memory | activations / arithmetic |
/// |---|---|---|
/// | `f32` | f32 | f32 (the reference; default on the CPU) |
/// | `f16` | UNet, text encoder and VAE in f16 (half the memory; zero-copy views of f16 files) | f32: every op converts its f16 weight to f32 as it reads it |
/// | `bf16` | UNet + text encoder in bf16 | f32, except that the weight products (`Linear` and `Conv2d`) round their f32 input to bf16 and run the AVX512-BF16 kernel (f32 accumulation, f32 result, bias added in f32) when the CPU has it; otherwise the weights are widened to f32 per op |
///
/// Decisions (the backend converts per op and returns the dtype of its first input):
/// - Activations stay f32 in every mode, so only the weights (and, for bf16, the inputs of the weight
///   GEMMs) are rounded — the image stays close to the f32 one. A model loaded "in f16" would instead keep
///   every intermediate in f16 between ops, adding one rounding per op for no speed-up on this CPU
///   (Swift scalarises `Float16` arithmetic on x86-64: measured on Zen 4, it only pays for storage).
/// - The bf16 GEMM inputs are made by `BF16GEMMBackend`, a `Backend` wrapper that sends
///   `f32 activation × bf16 weight` products to `GEMM.bf16Linear` and `BF16Convolution.run` with an
///   f32 result. The activation is rounded to bf16 (nearest even) while it is packed for the kernel (for a
///   convolution: its im2col panels), never stored as a bf16 tensor; each output is a sum of products of
///   bf16 values accumulated in f32, so it differs from the f32 op by at most ≈ 2⁻⁹ · Σ|w·x| (the input
///   rounding) on top of the weights' own bf16 rounding.
/// - Weights are packed into the kernel's panel layout once and kept by `BF16WeightCache.shared` (keyed
///   by the weight's storage, dropped with it): this costs the bf16 weights' size again in memory
///   (≈ 1.7 GB for the SD 1.5 UNet; `capacityBytes`, default 4 GiB, bounds it) and saves repacking them at
///   every call, which at the UNet's 8² level costs about a third of each product.
/// - The position embedding table stays f32: its dtype is the text encoder's compute dtype. The token
///   table (49,408 rows, 77 read per prompt) is held like the other weights and widened after the gather.
/// - The VAE computes in f32 in every mode (diffusers too upcasts SD VAEs, `force_upcast`, because their
///   activations overflow in f16). Its weights are f16 in f16 mode — what the fp16 checkpoints store, and
///   with the stage-by-stage release (`releasesWeightsBetweenStages`) the whole f16 SD 1.5 pipeline peaks
///   near 2 GiB — and f32 otherwise (bf16's 8-bit mantissa is not worth 80 MB on the decoder's weights).
public enum Precision: String, Sendable, CaseIterable {
    case f32, f16, bf16

    /// The dtype of the UNet / text-encoder weights in memory.
    public var weightDType: DType {
        switch self {
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        }
    }
}

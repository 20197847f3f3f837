import DiffuseCore

/// How the model weights are held and computed with (`--precision`): the user's choice. What it means on
/// this machine — each tensor's dtype in memory, the backend each component computes with — is decided
/// in one place, `PrecisionPolicy`, which the pipeline, the benchmark and the memory model all ask.
///
/// | mode | weights in memory | activations / arithmetic |
/// |---|---|---|
/// | `f32` | f32 | f32 (the reference; default on the CPU) |
/// | `f16` | UNet, text encoder and VAE matrices in f16 (half the memory; zero-copy views of f16 files) | f32: the GEMM converts each f16 weight element to f32 as it packs it for the micro-kernel |
/// | `bf16` | UNet + text encoder matrices in bf16 | f32, except that the weight products (`Linear` and `Conv2d`) round their f32 input to bf16 and run the AVX512-BF16 kernel (f32 accumulation, f32 result, bias added in f32) when the CPU has it; otherwise as f16 |
public enum Precision: String, Sendable, CaseIterable {
    case f32, f16, bf16
}

/// The weights a prediction counts: bytes measured while the models were built (a benchmark), or
/// parameter counts per component, held as `Precision` says — UNet and text encoder in
/// `precision.weightDType`, the VAE in f16 for `f16` and f32 otherwise.
public enum WeightFootprint: Sendable, Equatable {
    /// Bytes the models hold, for whatever precision they were built in.
    case bytes(Int)
    /// Parameters of each component (`parameterCount`, or the safetensors headers).
    case parameters(unet: Int, textEncoder: Int, vae: Int)

    /// Bytes the weights of `call` hold at `precision`. In bf16 on a CPU with AVX512-BF16
    /// (`bf16Accelerated`) the multiplied weights count twice: the kernel keeps a packed copy of every
    /// weight it multiplies by (`BF16WeightCache`, Precision.swift) — for measured bytes, all of them.
    public func bytes(_ call: MemoryCall, precision: Precision, bf16Accelerated: Bool) -> Int {
        let packed = precision == .bf16 && bf16Accelerated
        switch self {
        case .bytes(let n):
            let weights = max(0, n)
            return weights + (packed ? weights : 0)
        case .parameters(let unet, let textEncoder, let vae):
            let multiplied = (call.needsUNet ? unet : 0) + (call.needsTextEncoder ? textEncoder : 0)
            let vaeBytes = call.needsVAE ? vae * (precision == .f16 ? 2 : 4) : 0
            return multiplied * precision.weightDType.byteSize + vaeBytes + (packed ? 2 * multiplied : 0)
        }
    }

    /// Whether the bytes follow the precision (parameter counts), so that another precision can be
    /// predicted too.
    public var followsPrecision: Bool {
        if case .parameters = self { return true }
        return false
    }
}

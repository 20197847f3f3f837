/// The weights a prediction counts: bytes measured while the models were built (a benchmark), or
/// parameter counts per component, held as `PrecisionPolicy` says.
public enum WeightFootprint: Sendable, Equatable {
    /// Bytes the models hold, for whatever precision they were built in.
    case bytes(Int)
    /// Parameters of each component (`parameterCount`, or the safetensors headers).
    case parameters(unet: Int, textEncoder: Int, vae: Int)

    /// Bytes the weights of `call` hold under `policy`. Where the bf16 kernel runs
    /// (`PrecisionPolicy.usesBF16Kernel`) the multiplied weights count twice: the kernel keeps a packed copy
    /// of every weight it multiplies by (`BF16WeightCache`) — for measured bytes, all of them — up to the
    /// cache's capacity, which all components share.
    public func bytes(_ call: MemoryCall, policy: PrecisionPolicy) -> Int {
        let weights: Int = switch self {
        case .bytes(let n): max(0, n)
        case .parameters: components(call).reduce(0) { $0 + $1.parameters * policy.weightDType($1.component).byteSize }
        }
        return weights + packedBytes(call, policy: policy)
    }

    /// The components `call` holds, with their parameter counts (empty for measured bytes).
    func components(_ call: MemoryCall) -> [(component: PrecisionPolicy.Component, parameters: Int)] {
        guard case .parameters(let unet, let textEncoder, let vae) = self else { return [] }
        return (call.needsUNet ? [(.unet, unet)] : []) + (call.needsTextEncoder ? [(.textEncoder, textEncoder)] : [])
            + (call.needsVAE ? [(.vae, vae)] : [])
    }

    /// The part of `bytes(call, policy:)` that is the bf16 kernel's packed copies (0 without the kernel).
    /// The pipeline drops them when the denoising loop ends (`ResidentWeights`), so the VAE stage runs
    /// without them.
    public func packedBytes(_ call: MemoryCall, policy: PrecisionPolicy) -> Int {
        switch self {
        case .bytes(let n):
            return policy.usesBF16Kernel(.unet) ? min(max(0, n), policy.packedCapacityBytes) : 0
        case .parameters:
            let packed = components(call).reduce(0) { $0 + policy.packedBytes($1.component, parameters: $1.parameters) }
            return min(packed, policy.packedCapacityBytes)
        }
    }

    /// This footprint with `parameters` more held beside the UNet and in its dtype (ControlNets); measured
    /// bytes grow by 4 bytes a parameter (f32, the most they can take).
    public func addingUNetParameters(_ parameters: Int) -> WeightFootprint {
        switch self {
        case .bytes(let n): .bytes(n + 4 * parameters)
        case .parameters(let unet, let textEncoder, let vae): .parameters(unet: unet + parameters, textEncoder: textEncoder, vae: vae)
        }
    }

    /// Whether the bytes follow the precision (parameter counts), so that another precision can be
    /// predicted too.
    public var followsPrecision: Bool {
        if case .parameters = self { return true }
        return false
    }
}

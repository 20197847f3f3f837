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
    /// cache's capacity (`PrecisionPolicy.packedWeightCapacity`).
    public func bytes(_ call: MemoryCall, policy: PrecisionPolicy) -> Int {
        let capacity = PrecisionPolicy.packedWeightCapacity
        switch self {
        case .bytes(let n):
            let weights = max(0, n)
            return weights + (policy.usesBF16Kernel(.unet) ? min(weights, capacity) : 0)
        case .parameters(let unet, let textEncoder, let vae):
            let held: [(PrecisionPolicy.Component, Int)] = [(.unet, call.needsUNet ? unet : 0),
                (.textEncoder, call.needsTextEncoder ? textEncoder : 0), (.vae, call.needsVAE ? vae : 0)]
            let all = held.reduce(0) { $0 + policy.weightBytes($1.0, parameters: $1.1) }
            let packed = held.reduce(0) { $0 + policy.packedWeightBytes($1.0, parameters: $1.1) }
            return all - packed + min(packed, capacity)
        }
    }

    /// Whether the bytes follow the precision (parameter counts), so that another precision can be
    /// predicted too.
    public var followsPrecision: Bool {
        if case .parameters = self { return true }
        return false
    }
}

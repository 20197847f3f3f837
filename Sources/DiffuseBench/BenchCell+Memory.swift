import DiffusePipeline

/// A cell as a question for the memory model (MemoryModel.swift): the component's call at the cell's
/// size, batch, precision and attention (`pipeline` with classifier-free guidance, as it runs).
extension BenchCell {
    public var memoryRequest: MemoryRequest {
        let call: MemoryCall = switch component {
        case .unet: .unet
        case .vae: .vae
        case .textEncoder: .textEncoder
        case .pipeline: .pipeline
        }
        return MemoryRequest(call: call, width: width, height: height, batch: batch, precision: precision,
                             attention: MemoryAttention(attention))
    }
}

import DiffuseCore

/// The default processor, like diffusers' `AttnProcessor2_0`: one call to `scaledDotProductAttention`,
/// whose dispatch picks the first kernel of `priority` that can run the call (flash, memory-efficient,
/// math by default; `--attention flash` builds it with `[.flash]`). Scores are accumulated in f32 whatever
/// the storage dtype, so `upcast_attention` and `upcast_softmax` hold by construction.
public struct ScaledDotProductAttention: AttentionProcessor {
    /// The kernels allowed, in the order tried; validated at construction.
    public let priority: [SDPBackend]

    public init(priority: [SDPBackend] = SDPDispatch.defaultPriority) {
        if let error = SDPDispatch.priorityError(priority) { preconditionFailure("ScaledDotProductAttention: \(error)") }
        self.priority = priority
    }

    /// "sdpa", or "sdpa(flash)" when restricted or reordered.
    public var name: String {
        priority == SDPDispatch.defaultPriority ? "sdpa" : "sdpa(" + priority.map(\.description).joined(separator: ",") + ")"
    }

    public func attend(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, scale: Float,
                       options: AttentionOptions, backend: any Backend) throws -> Tensor {
        // Processors take integer masks as boolean (keep where ≠ 0) and float masks as additive.
        let attentionMask = mask.map { $0.dtype.isFloatingPoint ? AttentionMask.additive($0) : .boolean($0) }
        return try scaledDotProductAttention(query, key, value, mask: attentionMask, scale: scale,
                                             isCausal: options.isCausal, priority: priority, on: backend)
    }
}

/// A processor that cannot run a call (it never falls back silently).
public struct AttentionProcessorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

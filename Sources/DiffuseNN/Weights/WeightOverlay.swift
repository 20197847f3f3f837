import DiffuseCore

/// Replaces some of the tensors a `WeightStore` hands out, without touching the stored ones: a store
/// overlaid with it (`WeightStore.overlaid(by:)`) asks it about every tensor a module requests, after the
/// key, shape and dtype checks. A LoRA merge is one (DiffuseSources `LoRAOverlay`): the weights it touches
/// become new tensors W + ΔW, every other key stays the same (memory-mapped) view.
public protocol WeightOverlay: Sendable {
    /// The tensor a module receives for the model key `key` instead of `base` (the stored tensor, with the
    /// requested shape and the dtype the store hands out), or nil to keep `base`. A result must have
    /// `base`'s shape and dtype and live on the host, as stored tensors do.
    func tensor(for key: String, base: Tensor) -> Tensor?
}

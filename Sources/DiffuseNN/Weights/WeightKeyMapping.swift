import DiffuseCore

/// Where a checkpoint that names its tensors differently from the model (a single-file checkpoint in
/// the original CompVis / Stability layout) stores the tensor a module asks for by its diffusers key.
/// A `WeightStore` built with a mapping resolves every request through it, so the key check
/// (`finish()`) reports missing tensors by both names and unused ones by their stored names.
public protocol WeightKeyMapping: Sendable {
    /// The stored tensor behind `modelKey`, or nil when the model key has no counterpart.
    func storedTensor(for modelKey: String) -> StoredTensorRef?
    /// Whether `storedKey` belongs to this component (only those are indexed and checked for use).
    func owns(storedKey: String) -> Bool
}

import DiffuseCore

/// A position in a checkpoint's key tree: `scope["down_blocks"][0]["resnets"][1]` is the prefix
/// `down_blocks.0.resnets.1.`. Modules receive a scope and ask for their own parameters by leaf name,
/// so each module's Swift code names checkpoint keys exactly as diffusers does. The scope also carries
/// the backend the modules built from it compute on.
public struct WeightScope: Sendable {
    public let store: WeightStore
    public let prefix: String
    public let backend: any Backend

    public init(_ store: WeightStore, backend: any Backend, prefix: String = "") {
        self.store = store
        self.backend = backend
        self.prefix = prefix
    }

    public subscript(_ name: String) -> WeightScope { WeightScope(store, backend: backend, prefix: prefix + name + ".") }
    public subscript(_ index: Int) -> WeightScope { self["\(index)"] }

    /// The parameter `prefix + name`, which must have `shape`, on the backend's device (uploaded: the one
    /// place weights cross to a device; on the host it is the stored, possibly memory-mapped, tensor).
    public func tensor(_ name: String, shape: [Int]) -> Tensor { backend.upload(store.tensor(prefix + name, shape: shape)) }

    /// The first existing of several leaf names (legacy checkpoints).
    public func tensor(anyOf names: [String], shape: [Int]) -> Tensor {
        backend.upload(store.tensor(anyOf: names.map { prefix + $0 }, shape: shape))
    }

    public func contains(_ name: String) -> Bool { store.contains(prefix + name) }

    /// The key path without the trailing dot (diffusers layer names, e.g. for attention processors).
    public var path: String { prefix.hasSuffix(".") ? String(prefix.dropLast()) : prefix }
}

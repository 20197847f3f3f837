import DiffuseCore

/// A wrapping `Backend` that forwards every op to `base` and charges its time to `profile` by op kind
/// (`--profile`; kinds, FLOPs and shape labels from `Op+Cost.swift`). It wraps the outermost backend the
/// models use, so nested backends (bf16 GEMM) are timed as the op the model asked for.
public struct ProfilingBackend: WrappingBackend {
    public let base: any Backend
    public let profile: OpProfile
    public init(base: any Backend, profile: OpProfile) {
        self.base = base
        self.profile = profile
    }
    public var name: String { base.name + "+profile" }

    public func execute(_ op: Op, _ inputs: [Tensor?]) -> Tensor {
        profile.time(op.profileKind(inputs), flops: op.flops(inputs), shape: { op.shapeDescription(inputs) }) {
            base.execute(op, inputs)
        }
    }
}

import DiffuseCore

/// One recorded op: what it does, the views it reads, and the output it produced at capture (a new
/// storage; `outputLayout` says where in it the result sits, checked again on every replay).
public struct GraphNode: Sendable {
    public var op: Op
    public var inputs: [ValueView?]
    /// The output's shape, dtype, strides and offset within its storage at capture.
    public var output: ValueView
    /// Removed by a pass (fused into a later node, or unused); replays skip it.
    public var removed = false

    public init(op: Op, inputs: [ValueView?], output: ValueView) {
        self.op = op
        self.inputs = inputs
        self.output = output
    }

    /// The values this node reads.
    public var inputValues: [ValueID] { inputs.compactMap { $0?.value } }
}

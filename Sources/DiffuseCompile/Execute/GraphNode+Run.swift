import DiffuseCore

extension GraphNode {
    /// Runs this node's op on `backend` with its inputs rebuilt as `args` (same order as `inputs`).
    func run(_ args: [Tensor?], on backend: any Backend) -> Tensor {
        backend.execute(op, args)
    }
}

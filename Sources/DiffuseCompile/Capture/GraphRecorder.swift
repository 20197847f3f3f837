import DiffuseCore

/// Builds a `CapturedGraph` while a forward pass runs: `TracingBackend` reports every op (copies included). Values are identified by storage serial:
/// inputs are registered up front, each op's new output storage becomes a node value, and a storage that
/// existed before the capture began (a weight) becomes a constant. A storage created during the capture
/// that no recorded op produced (a tensor a model filled by hand) cannot be replayed: it is reported in
/// `errors` and the capture is refused.
final class GraphRecorder: @unchecked Sendable {
    /// Serials up to this one existed before the capture.
    let startSerial: UInt64
    /// > 0 while the wrapped backend runs an op (ops it runs internally are not the model's).
    var depth = 0
    private(set) var nodes: [GraphNode] = []
    private(set) var constants: [Storage] = []
    private(set) var errors: [String] = []
    private var values: [UInt64: ValueID] = [:]
    private let inputViews: [ValueView]

    init(inputs: [Tensor]) {
        startSerial = Storage.lastSerial
        var views: [ValueView] = []
        for (i, input) in inputs.enumerated() {
            values[input.storage.serial] = .input(i)
            views.append(ValueView(.input(i), of: input))
        }
        inputViews = views
    }

    /// The view of `tensor` as a value of the graph, or nil (and an error) when it cannot be one.
    func view(of tensor: Tensor, usedBy op: String) -> ValueView? {
        let storage = tensor.storage
        if let value = values[storage.serial] { return ValueView(value, of: tensor) }
        if storage.serial <= startSerial {
            let value = ValueID.constant(constants.count)
            constants.append(storage)
            values[storage.serial] = value
            return ValueView(value, of: tensor)
        }
        if errors.count < 8 {
            errors.append("\(op) reads a \(tensor.dtype) tensor of shape \(tensor.shape) that was created during the "
                          + "forward pass outside the backend (not a weight, not an input, not a recorded op's output)")
        }
        return nil
    }

    /// Records `op` on `inputs` that returned `output`; `serialBefore` is `Storage.lastSerial` before the op.
    func record(_ op: Op, inputs: [Tensor?], output: Tensor, serialBefore: UInt64) {
        let views = inputs.map { $0.flatMap { view(of: $0, usedBy: op.name) } }
        // An op that returned an existing storage (an input unchanged) adds no value.
        guard output.storage.serial > serialBefore else { return }
        let value = ValueID.node(nodes.count)
        nodes.append(GraphNode(op: op, inputs: views, output: ValueView(value, of: output)))
        values[output.storage.serial] = value
    }

    /// The graph whose result is `output`. Throws when a value could not be captured.
    func graph(output: Tensor) throws -> CapturedGraph {
        let outputView = view(of: output, usedBy: "the result")
        guard errors.isEmpty, let outputView else { throw CompileError.unreplayable(errors) }
        return CapturedGraph(inputs: inputViews, nodes: nodes, constants: constants, output: outputView)
    }
}

/// `Linear` layers as one op: `matmul(x, W, transposeB)` with a constant 2-D weight W [N, K], followed
/// by `add(y, bias)` of a constant [N] bias where y has no other consumer, becomes one `.linear` node
/// whose GEMM starts from the bias (no separate pass over the output). A bias-free Linear (the attention
/// q/k/v projections) becomes `.linear` too, so later passes (residual, pre-packing) see one op kind.
/// f32 only: other dtypes keep the eager ops (the bf16 path has its own GEMM backend).
enum LinearFusion {
    /// Returns (biases fused, bias-free linears lowered).
    @discardableResult
    static func run(_ graph: inout CapturedGraph) -> (biases: Int, plain: Int) {
        var uses = graph.useCounts()
        var biases = 0, plain = 0
        for s in graph.nodes.indices where !graph.nodes[s].removed && graph.nodes[s].op == .add {
            let node = graph.nodes[s]
            guard node.output.isStandard(shape: node.output.shape) else { continue }
            for (y, bias) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
                guard let m = graph.wholeOutput(y), y!.shape == node.output.shape, uses[m] == 1,
                      isLinearMatmul(graph, m), graph.isConstant(bias, rank: 1),
                      bias!.shape == [graph.nodes[m].inputs[1]!.shape[0]] else { continue }
                let producer = graph.nodes[m]
                graph.nodes[s].op = .linear(prepacked: false)
                graph.nodes[s].inputs = [producer.inputs[0], producer.inputs[1], bias, nil]
                graph.nodes[m].removed = true
                uses[m] = 0
                biases += 1
                break
            }
        }
        for m in graph.nodes.indices where !graph.nodes[m].removed && isLinearMatmul(graph, m)
            && graph.nodes[m].output.isStandard(shape: graph.nodes[m].output.shape) {
            graph.nodes[m].op = .linear(prepacked: false)
            graph.nodes[m].inputs = [graph.nodes[m].inputs[0], graph.nodes[m].inputs[1], nil, nil]
            plain += 1
        }
        return (biases, plain)
    }

    /// `matmul(x, W, transposeB: true)` with alpha 1, no c, a constant f32 W [N, K] and f32 x.
    static func isLinearMatmul(_ graph: CapturedGraph, _ m: Int) -> Bool {
        let node = graph.nodes[m]
        guard node.op == .matmul(transposeA: false, transposeB: true, alpha: 1, beta: 0),
              node.inputs.count < 3 || node.inputs[2] == nil,
              let x = node.inputs[0], x.dtype == .f32, x.shape.count >= 2,
              graph.isConstant(node.inputs[1], rank: 2) else { return false }
        return true
    }
}

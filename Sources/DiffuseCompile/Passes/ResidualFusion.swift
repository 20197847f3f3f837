/// Residual connections into the GEMM: `add(p, r)` where p is the whole output of a `.linear` node or of a
/// 1×1 stride-1 convolution, read by nothing else, becomes one node whose GEMM starts from r (beta = 1):
/// the transformer's `attn(x) + x` and `ff(x) + x`, `proj_out(h) + x` (1×1 conv in SD 1.x), the resnet's
/// `conv_shortcut(x) + h`. 3×3 convolutions are not fused (their kernel has no accumulate option).
enum ResidualFusion {
    /// Returns (linears, pointwise convolutions) fused with their residual.
    @discardableResult
    static func run(_ graph: inout CapturedGraph) -> (linear: Int, conv: Int) {
        var uses = graph.useCounts()
        var linear = 0, conv = 0
        for s in graph.nodes.indices where !graph.nodes[s].removed && graph.nodes[s].op == .add {
            let node = graph.nodes[s]
            guard node.output.isStandard(shape: node.output.shape), node.output.dtype == .f32 else { continue }
            for (p, r) in [(node.inputs[0], node.inputs[1]), (node.inputs[1], node.inputs[0])] {
                guard let m = graph.wholeOutput(p), p!.shape == node.output.shape, uses[m] == 1,
                      let r, r.shape == node.output.shape, r.dtype == .f32 else { continue }
                let producer = graph.nodes[m]
                if case .linear(let packed) = producer.op, producer.inputs[3] == nil {
                    graph.nodes[s].op = .linear(prepacked: packed)
                    graph.nodes[s].inputs = [producer.inputs[0], producer.inputs[1], producer.inputs[2], r]
                    linear += 1
                } else if isPointwiseConv(graph, m) {
                    graph.nodes[s].op = .pointwiseConv
                    graph.nodes[s].inputs = [producer.inputs[0], producer.inputs[1],
                                             producer.inputs.count > 2 ? producer.inputs[2] : nil, r]
                    conv += 1
                } else {
                    continue
                }
                graph.nodes[m].removed = true
                uses[m] = 0
                break
            }
        }
        return (linear, conv)
    }

    /// conv2d, stride 1, padding 0, f32 x, constant f32 weight [Cout, Cin, 1, 1] (bias, if any, constant [Cout]).
    static func isPointwiseConv(_ graph: CapturedGraph, _ m: Int) -> Bool {
        let node = graph.nodes[m]
        guard node.op == .conv2d(stride: 1, padding: 0), let x = node.inputs[0], x.dtype == .f32,
              graph.isConstant(node.inputs[1], rank: 4), let w = node.inputs[1], w.shape[2] == 1, w.shape[3] == 1
        else { return false }
        let bias = node.inputs.count > 2 ? node.inputs[2] : nil
        return bias == nil || graph.isConstant(bias, rank: 1)
    }
}

import DiffuseCore

/// The op list (`Op`) → the CPU kernels, and what the CPU refuses.
extension CPUBackend {
    public func execute(_ op: Op, _ inputs: [Tensor?]) -> Tensor {
        Parallel.withThreads(threads) { run(op, inputs) }
    }

    private func run(_ op: Op, _ inputs: [Tensor?]) -> Tensor {
        func x(_ i: Int) -> Tensor {
            guard i < inputs.count, let t = inputs[i] else { fatalError("\(op.name): operand \(i) is missing") }
            require(t.storage.device.isHost, "\(op.name): operand \(i) is on \(t.storage.device.name), not host memory")
            return t
        }
        func optional(_ i: Int) -> Tensor? { i < inputs.count ? inputs[i].map { _ in x(i) } : nil }
        switch op {
        case let .matmul(transposeA, transposeB, alpha, beta):
            return matmul(x(0), x(1), transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta, c: optional(2))
        case .linear(let prepacked):
            return linear(x(0), weight: x(1), prepacked: prepacked, bias: optional(2), residual: optional(3))
        case let .conv2d(stride, padding):
            return conv2d(x(0), weight: x(1), bias: optional(2), stride: stride, padding: padding)
        case .pointwiseConv:
            return pointwiseConv(x(0), weight: x(1), bias: optional(2), residual: x(3))
        case let .groupNorm(groups, eps, silu):
            return groupNorm(x(0), groups: groups, weight: optional(1), bias: optional(2), eps: eps, fusedSiLU: silu)
        case .layerNorm(let eps):
            return layerNorm(x(0), weight: optional(1), bias: optional(2), eps: eps)
        case .softmax: return softmax(x(0))
        case .activation(let kind): return activation(x(0), kind)
        case .geglu: return geglu(x(0))
        case .add: return add(x(0), x(1))
        case .sub: return sub(x(0), x(1))
        case .mul: return mul(x(0), x(1))
        case .scale(let factor): return scale(x(0), by: factor)
        case .divide(let divisor): return divide(x(0), by: divisor)
        case let .clamp(lower, upper): return clamp(x(0), lower: lower, upper: upper)
        case .linearCombination(let coefficients):
            return linearCombination(coefficients, inputs.indices.map { x($0) })
        case .contiguous: return copy(x(0))
        case .cast(let dtype): return cast(x(0), to: dtype)
        case let .pad2D(left, right, top, bottom): return pad2D(x(0), left: left, right: right, top: top, bottom: bottom)
        case let .fill(shape, dtype, value): return fill(shape, dtype: dtype, value: value)
        case .concat(let dim): return concat(inputs.indices.map { x($0) }, dim: dim)
        case let .upsampleNearest(height, width): return upsampleNearest(x(0), height: height, width: width)
        case .embedding: return embedding(x(0), ids: x(1))
        case let .timestepEmbedding(dim, flipSinToCos, freqShift, scale, maxPeriod):
            return timestepEmbedding(x(0), dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift, scale: scale,
                                     maxPeriod: maxPeriod)
        case .attention(let kernel, _, _, _, _):
            _ = (x(0), x(1), x(2), optional(3))   // the operand checks (present, in host memory)
            return attention(AttentionProblem(op, inputs)!, using: kernel)
        case .additiveMask: return additiveMask(x(0))
        case let .causalMask(queries, keys): return causalMask(queries: queries, keys: keys)
        }
    }

    /// The CPU runs every op on host tensors; of the attention kernels, each has its requirements
    /// (`CPUBackend+Attention.swift`).
    public func refusals(_ op: Op, _ inputs: [Tensor?]) -> [String] {
        let elsewhere = inputs.compactMap { $0 }.filter { !$0.storage.device.isHost }
        if let t = elsewhere.first { return ["an operand is on \(t.storage.device.name), not host memory"] }
        if case .attention(let kernel, _, _, _, _) = op, let problem = AttentionProblem(op, inputs) {
            return attentionKernelRefusals(kernel, for: problem)
        }
        return []
    }
}

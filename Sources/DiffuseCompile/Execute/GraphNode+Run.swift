import DiffuseCore

extension GraphNode {
    /// Runs this node's op on `backend` with its inputs rebuilt as `args` (same order as `inputs`).
    func run(_ args: [Tensor?], on backend: any Backend) -> Tensor {
        func arg(_ i: Int) -> Tensor { args[i]! }
        func optional(_ i: Int) -> Tensor? { i < args.count ? args[i] : nil }
        switch op {
        case let .matmul(transposeA, transposeB, alpha, beta):
            return backend.matmul(arg(0), arg(1), transposeA: transposeA, transposeB: transposeB, alpha: alpha,
                                  beta: beta, c: optional(2))
        case let .conv2d(stride, padding):
            return backend.conv2d(arg(0), weight: arg(1), bias: optional(2), stride: stride, padding: padding)
        case let .groupNorm(groups, eps, silu):
            return backend.groupNorm(arg(0), groups: groups, weight: optional(1), bias: optional(2), eps: eps, fusedSiLU: silu)
        case let .layerNorm(eps):
            return backend.layerNorm(arg(0), weight: optional(1), bias: optional(2), eps: eps)
        case .softmax: return backend.softmax(arg(0))
        case .activation(let kind): return backend.activation(arg(0), kind)
        case .geglu: return backend.geglu(arg(0))
        case .add: return backend.add(arg(0), arg(1))
        case .mul: return backend.mul(arg(0), arg(1))
        case .scale(let factor): return backend.scale(arg(0), by: factor)
        case .upsampleNearest2x: return backend.upsampleNearest2x(arg(0))
        case let .upsampleNearest(height, width): return backend.upsampleNearest(arg(0), height: height, width: width)
        case .concat(let dim): return backend.concat(args.map { $0! }, dim: dim)
        case .embedding: return backend.embedding(arg(0), ids: arg(1))
        case let .timestepEmbedding(dim, flipSinToCos, freqShift, scale, maxPeriod):
            return backend.timestepEmbedding(arg(0), dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift,
                                             scale: scale, maxPeriod: maxPeriod)
        case let .attention(kernel, scale, isCausal, outputDType, booleanMask):
            let mask = optional(3).map { booleanMask ? AttentionMask.boolean($0) : .additive($0) }
            let problem = AttentionProblem(q: arg(0), k: arg(1), v: arg(2), mask: mask, scale: scale,
                                           isCausal: isCausal, outputDType: outputDType)
            return (backend as! any AttentionBackend).attention(problem, using: kernel)
        case .copy: return copied(arg(0))
        case .convert(let dtype): return arg(0).converted(to: dtype)
        case let .zeroPad2D(left, right, top, bottom):
            return arg(0).zeroPadded2D(left: left, right: right, top: top, bottom: bottom)
        case .linear(let prepacked):
            return FusedGEMM.linear(arg(0), weight: arg(1), prepacked: prepacked, bias: optional(2),
                                    residual: optional(3), backend: backend)
        case .pointwiseConv:
            return FusedGEMM.pointwiseConv(arg(0), weight: arg(1), bias: optional(2), residual: arg(3), backend: backend)
        }
    }

    /// A row-major copy (always a new storage, as at capture, even if the view happens to be contiguous).
    private func copied(_ x: Tensor) -> Tensor {
        if !x.isContiguous { return x.contiguous() }
        let out = Tensor(uninitialized: x.shape, dtype: x.dtype)
        x.copyStrided(to: out.rawPointer)
        return out
    }
}

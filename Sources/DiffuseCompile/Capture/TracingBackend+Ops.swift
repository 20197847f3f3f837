import DiffuseCore

/// Every `Backend` op: forwarded to `inner`, recorded while capturing.
extension TracingBackend {
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                       alpha: Float, beta: Float, c: Tensor?) -> Tensor {
        traced(.matmul(transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta), [a, b, c]) {
            inner.matmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta, c: c)
        }
    }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        traced(.conv2d(stride: stride, padding: padding), [x, weight, bias]) {
            inner.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
        }
    }

    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, fusedSiLU: Bool) -> Tensor {
        traced(.groupNorm(groups: groups, eps: eps, silu: fusedSiLU), [x, weight, bias]) {
            inner.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, fusedSiLU: fusedSiLU)
        }
    }

    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        traced(.layerNorm(eps: eps), [x, weight, bias]) { inner.layerNorm(x, weight: weight, bias: bias, eps: eps) }
    }

    public func softmax(_ x: Tensor) -> Tensor { traced(.softmax, [x]) { inner.softmax(x) } }

    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        traced(.activation(kind), [x]) { inner.activation(x, kind) }
    }

    public func geglu(_ x: Tensor) -> Tensor { traced(.geglu, [x]) { inner.geglu(x) } }

    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { traced(.add, [a, b]) { inner.add(a, b) } }

    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { traced(.mul, [a, b]) { inner.mul(a, b) } }

    public func scale(_ x: Tensor, by scale: Float) -> Tensor {
        traced(.scale(scale), [x]) { inner.scale(x, by: scale) }
    }

    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        traced(.upsampleNearest2x, [x]) { inner.upsampleNearest2x(x) }
    }

    public func upsampleNearest(_ x: Tensor, height: Int, width: Int) -> Tensor {
        traced(.upsampleNearest(height: height, width: width), [x]) { inner.upsampleNearest(x, height: height, width: width) }
    }

    public func concat(_ tensors: [Tensor], dim: Int) -> Tensor {
        traced(.concat(dim: dim), tensors) { inner.concat(tensors, dim: dim) }
    }

    public func embedding(_ table: Tensor, ids: Tensor) -> Tensor {
        traced(.embedding, [table, ids]) { inner.embedding(table, ids: ids) }
    }

    public func timestepEmbedding(_ timesteps: Tensor, dim: Int, flipSinToCos: Bool, freqShift: Float,
                                  scale: Float, maxPeriod: Float) -> Tensor {
        traced(.timestepEmbedding(dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift, scale: scale,
                                  maxPeriod: maxPeriod), [timesteps]) {
            inner.timestepEmbedding(timesteps, dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift,
                                    scale: scale, maxPeriod: maxPeriod)
        }
    }

    public func attentionRefusals(_ kernel: SDPBackend, for problem: AttentionProblem) -> [String] {
        inner.forwardedAttentionRefusals(kernel, for: problem)
    }

    public func attention(_ problem: AttentionProblem, using kernel: SDPBackend) -> Tensor {
        var booleanMask = false
        if case .boolean = problem.mask { booleanMask = true }
        let op = GraphOp.attention(kernel: kernel, scale: problem.scale, isCausal: problem.isCausal,
                                   outputDType: problem.outputDType, booleanMask: booleanMask)
        return traced(op, [problem.q, problem.k, problem.v, problem.mask?.tensor]) {
            (inner as! any AttentionBackend).attention(problem, using: kernel)
        }
    }
}

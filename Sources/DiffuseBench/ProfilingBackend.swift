import DiffuseCore

/// A `Backend` that forwards every op to `base` and charges its time to `profile` by op kind
/// (`--profile`). It wraps the outermost backend the models use, so nested backends (bf16 GEMM) are
/// timed as the op the model asked for.
public struct ProfilingBackend: AttentionBackend {
    public let base: any Backend
    public let profile: OpProfile
    public init(base: any Backend, profile: OpProfile) {
        self.base = base
        self.profile = profile
    }
    public var name: String { base.name + "+profile" }

    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                       alpha: Float, beta: Float, c: Tensor?) -> Tensor {
        // a: [..., M, K], b: [..., K, N] (either transposed) → 2·M·N·K per batch item.
        let k = transposeA ? a.size(-2) : a.size(-1)
        let n = transposeB ? b.size(-2) : b.size(-1)
        let flops = 2 * Double(a.count / max(k, 1)) * Double(n) * Double(k)
        let shape = {
            let batch = a.count / max(a.size(-1) * a.size(-2), 1), m = transposeA ? a.size(-1) : a.size(-2)
            return "\(batch > 1 ? "\(batch)× " : "")M \(m) N \(n) K \(k)" + (transposeA ? " Aᵀ" : "") + (transposeB ? " Bᵀ" : "")
                + (b.rank == 2 && batch > 1 ? " (2-D B)" : "")
        }
        return profile.time(b.dtype == .f32 ? "matmul" : "matmul \(b.dtype.rawValue)", flops: flops, shape: shape) {
            base.matmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta, c: c)
        }
    }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        // x: [N, Cin, H, W], weight: [Cout, Cin, kh, kw] → 2·N·Cout·Hout·Wout·Cin·kh·kw.
        let hOut = (x.size(2) + 2 * padding - weight.size(2)) / stride + 1
        let wOut = (x.size(3) + 2 * padding - weight.size(3)) / stride + 1
        let flops = 2 * Double(x.size(0) * hOut * wOut) * Double(weight.count)
        let kind = weight.size(2) == 1 && weight.size(3) == 1 ? "conv2d 1x1" : "conv2d \(weight.size(2))x\(weight.size(3))"
        let shape = {
            "\(x.size(0))× \(x.size(1))→\(weight.size(0)) \(x.size(2))×\(x.size(3))" + (stride > 1 ? " s\(stride)" : "")
        }
        return profile.time(kind, flops: flops, shape: shape) { base.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding) }
    }
    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, fusedSiLU: Bool) -> Tensor {
        profile.time(fusedSiLU ? "groupNorm+silu" : "groupNorm") {
            base.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, fusedSiLU: fusedSiLU)
        }
    }
    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        profile.time("layerNorm") { base.layerNorm(x, weight: weight, bias: bias, eps: eps) }
    }
    public func softmax(_ x: Tensor) -> Tensor { profile.time("softmax") { base.softmax(x) } }
    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
        profile.time(kind.rawValue) { base.activation(x, kind) }
    }
    public func geglu(_ x: Tensor) -> Tensor { profile.time("geglu") { base.geglu(x) } }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { profile.time("add") { base.add(a, b) } }
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { profile.time("mul") { base.mul(a, b) } }
    public func scale(_ x: Tensor, by scale: Float) -> Tensor { profile.time("scale") { base.scale(x, by: scale) } }
    public func upsampleNearest2x(_ x: Tensor) -> Tensor { profile.time("upsample") { base.upsampleNearest2x(x) } }
    public func upsampleNearest(_ x: Tensor, height: Int, width: Int) -> Tensor {
        profile.time("upsample") { base.upsampleNearest(x, height: height, width: width) }
    }
    public func concat(_ tensors: [Tensor], dim: Int) -> Tensor { profile.time("concat") { base.concat(tensors, dim: dim) } }
    public func embedding(_ table: Tensor, ids: Tensor) -> Tensor { profile.time("embedding") { base.embedding(table, ids: ids) } }
    public func timestepEmbedding(_ timesteps: Tensor, dim: Int, flipSinToCos: Bool, freqShift: Float,
                                  scale: Float, maxPeriod: Float) -> Tensor {
        profile.time("timestepEmbedding") {
            base.timestepEmbedding(timesteps, dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift,
                                   scale: scale, maxPeriod: maxPeriod)
        }
    }

    public func attentionRefusals(_ kernel: SDPBackend, for problem: AttentionProblem) -> [String] {
        base.forwardedAttentionRefusals(kernel, for: problem)
    }

    public func attention(_ problem: AttentionProblem, using kernel: SDPBackend) -> Tensor {
        // q: [B, H, Lq, D], k: [B, H, Lkv, D] → 4·B·H·Lq·Lkv·D (two products).
        let q = problem.q
        let flops = 4 * Double(q.count) * Double(problem.k.size(-2))
        let shape = { "\(q.size(0))×\(q.size(1)) Lq \(q.size(-2)) Lkv \(problem.k.size(-2)) D \(q.size(-1))" }
        return profile.time("sdpa \(kernel)", flops: flops, shape: shape) {
            (base as! any AttentionBackend).attention(problem, using: kernel)
        }
    }
}

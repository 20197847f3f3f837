import DiffuseCore
import DiffuseCPU

/// `--precision bf16`: a `Backend` that runs `f32 activation × bf16 weight` products (every `Linear`)
/// on the AVX512-BF16 kernel — the activation rounded to bf16, f32 accumulation, an **f32** result —
/// and forwards everything else to `base`. The wrapped CPU backend would instead keep a bf16 result for
/// bf16 inputs (one more rounding) or widen the weight to f32 (no speed-up). Without AVX512-BF16 every
/// op goes to `base`, which widens the bf16 weights per op.
public struct BF16GEMMBackend: Backend {
    public let base: any Backend
    public init(base: any Backend) { self.base = base }
    public var name: String { base.name + "+bf16gemm" }

    /// Whether this CPU runs the bf16 kernel.
    public static var isAccelerated: Bool { GEMM.bf16Available }

    /// a: [..., M, K] f32, b: [N, K] (transposeB) or [K, N] bf16 → [..., M, N] f32 via `GEMM.bf16gemm`.
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                       alpha: Float, beta: Float, c: Tensor?) -> Tensor {
        guard Self.isAccelerated, a.dtype == .f32, b.dtype == .bf16, b.rank == 2, !transposeA, c == nil,
              a.rank >= 2, a.size(-1) == (transposeB ? b.size(1) : b.size(0)) else {
            return base.matmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta, c: c)
        }
        let k = a.size(-1), n = transposeB ? b.size(0) : b.size(1)
        let m = a.count / max(k, 1)
        // [..., M, K] f32 → [M·…, K] bf16 bits; weight bits contiguous.
        let input = a.contiguous()
        let aBits = Tensor(zeros: [m, k], dtype: .bf16)
        let weight = b.contiguous()
        GEMM.convertToBF16(input.pointer(as: Float.self), aBits.pointer(as: UInt16.self), count: m * k)
        let out = Tensor(zeros: Array(a.shape.dropLast()) + [n], dtype: .f32)
        withExtendedLifetime((input, aBits, weight)) {
            GEMM.bf16gemm(transA: false, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
                          a: UnsafePointer(aBits.pointer(as: UInt16.self)), lda: k,
                          b: UnsafePointer(weight.pointer(as: UInt16.self)), ldb: transposeB ? k : n,
                          beta: 0, c: out.pointer(as: Float.self), ldc: n)
        }
        return out
    }

    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        base.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, fusedSiLU: Bool) -> Tensor {
        base.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, fusedSiLU: fusedSiLU)
    }
    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        base.layerNorm(x, weight: weight, bias: bias, eps: eps)
    }
    public func softmax(_ x: Tensor) -> Tensor { base.softmax(x) }
    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor { base.activation(x, kind) }
    public func geglu(_ x: Tensor) -> Tensor { base.geglu(x) }
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { base.add(a, b) }
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { base.mul(a, b) }
    public func scale(_ x: Tensor, by scale: Float) -> Tensor { base.scale(x, by: scale) }
    public func upsampleNearest2x(_ x: Tensor) -> Tensor { base.upsampleNearest2x(x) }
    public func upsampleNearest(_ x: Tensor, height: Int, width: Int) -> Tensor {
        base.upsampleNearest(x, height: height, width: width)
    }
    public func concat(_ tensors: [Tensor], dim: Int) -> Tensor { base.concat(tensors, dim: dim) }
    public func embedding(_ table: Tensor, ids: Tensor) -> Tensor { base.embedding(table, ids: ids) }
    public func timestepEmbedding(_ timesteps: Tensor, dim: Int, flipSinToCos: Bool, freqShift: Float,
                                  scale: Float, maxPeriod: Float) -> Tensor {
        base.timestepEmbedding(timesteps, dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift,
                               scale: scale, maxPeriod: maxPeriod)
    }
}

/// The SDPA kernels of the wrapped backend (the default attention processor needs them).
extension BF16GEMMBackend: AttentionBackend {
    public func attentionRefusals(_ kernel: SDPBackend, for problem: AttentionProblem) -> [String] {
        guard let attention = base as? any AttentionBackend else {
            return ["the \(base.name) backend has no scaled-dot-product attention kernels"]
        }
        return attention.attentionRefusals(kernel, for: problem)
    }

    public func attention(_ problem: AttentionProblem, using kernel: SDPBackend) -> Tensor {
        (base as! any AttentionBackend).attention(problem, using: kernel)
    }
}

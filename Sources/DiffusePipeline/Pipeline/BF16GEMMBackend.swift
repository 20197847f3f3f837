import DiffuseCore
import DiffuseCPU

/// `--precision bf16`: a `Backend` that runs `f32 activation × bf16 weight` products — every `Linear`
/// (`GEMM.bf16Linear`) and every convolution (`BF16Convolution`) — on the AVX512-BF16 kernel: the
/// activation rounded to bf16 as it is packed, the weight packed once and cached (`BF16WeightCache`),
/// f32 accumulation, an **f32** result. Everything else goes to `base`. The wrapped CPU backend would
/// instead keep a bf16 result for bf16 inputs (one more rounding) or widen the weight to f32 (no speed-up).
/// Without AVX512-BF16 every op goes to `base`, which widens the bf16 weights per op.
public struct BF16GEMMBackend: Backend {
    public let base: any Backend
    public init(base: any Backend) { self.base = base }
    public var name: String { base.name + "+bf16gemm" }

    /// Whether this CPU runs the bf16 kernel.
    public static var isAccelerated: Bool { GEMM.bf16Available }

    /// a: [..., M, K] f32, b: [N, K] (transposeB) or [K, N] bf16 → [..., M, N] f32 via `GEMM.bf16Linear`.
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                       alpha: Float, beta: Float, c: Tensor?) -> Tensor {
        guard Self.isAccelerated, a.dtype == .f32, b.dtype == .bf16, b.rank == 2, !transposeA, c == nil,
              a.rank >= 2, a.size(-1) == (transposeB ? b.size(1) : b.size(0)) else {
            return base.matmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta, c: c)
        }
        return GEMM.bf16Linear(a, weight: b, transposeB: transposeB, alpha: alpha)
    }

    /// x [N, Cin, H, W] f32, weight [Cout, Cin, kh, kw] bf16 → f32 via `BF16Convolution` (input rounded to
    /// bf16 in its im2col panels, f32 accumulation and bias); anything else goes to `base`.
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        guard Self.isAccelerated, x.dtype == .f32, weight.dtype == .bf16, x.rank == 4, weight.rank == 4 else {
            return base.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
        }
        return BF16Convolution.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
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
        base.forwardedAttentionRefusals(kernel, for: problem)
    }

    public func attention(_ problem: AttentionProblem, using kernel: SDPBackend) -> Tensor {
        (base as! any AttentionBackend).attention(problem, using: kernel)
    }
}

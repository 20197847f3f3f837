import DiffuseCore
import DiffuseCPU

/// `--precision bf16`: a wrapping `Backend` that runs `f32 activation × bf16 weight` products — every
/// `Linear` (`GEMM.bf16Linear`) and every convolution (`BF16Convolution`) — on the AVX512-BF16 kernel: the
/// activation rounded to bf16 as it is packed, the weight packed once and cached (`BF16WeightCache`),
/// f32 accumulation, an **f32** result. Every other op (and every call it does not match) goes to `base`.
/// The wrapped CPU backend would instead keep a bf16 result for bf16 inputs (one more rounding) or widen
/// the weight to f32 (no speed-up). Without AVX512-BF16 every op goes to `base`.
public struct BF16GEMMBackend: WrappingBackend {
    public let base: any Backend
    public init(base: any Backend) { self.base = base }
    public var name: String { base.name + "+bf16gemm" }

    /// Whether this CPU runs the bf16 kernel.
    public static var isAccelerated: Bool { GEMM.bf16Available }

    public func execute(_ op: Op, _ inputs: [Tensor?]) -> Tensor {
        guard Self.isAccelerated else { return base.execute(op, inputs) }
        switch op {
        case let .matmul(transposeA, transposeB, alpha, _):
            // a: [..., M, K] f32, b: [N, K] (transposeB) or [K, N] bf16 → [..., M, N] f32.
            let a = inputs[0]!, b = inputs[1]!
            let c = inputs.count > 2 ? inputs[2] : nil
            if a.dtype == .f32, b.dtype == .bf16, b.rank == 2, !transposeA, c == nil, a.rank >= 2,
               a.size(-1) == (transposeB ? b.size(1) : b.size(0)) {
                return GEMM.bf16Linear(a, weight: b, transposeB: transposeB, alpha: alpha)
            }
        case let .conv2d(stride, padding):
            // x [N, Cin, H, W] f32, weight [Cout, Cin, kh, kw] bf16 → f32 (input rounded to bf16 in its
            // im2col panels, f32 accumulation and bias).
            let x = inputs[0]!, weight = inputs[1]!
            if x.dtype == .f32, weight.dtype == .bf16, x.rank == 4, weight.rank == 4 {
                return BF16Convolution.run(x, weight: weight, bias: inputs.count > 2 ? inputs[2] : nil,
                                              stride: stride, padding: padding)
            }
        default:
            break
        }
        return base.execute(op, inputs)
    }
}

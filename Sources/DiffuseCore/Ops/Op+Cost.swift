/// What an op call costs and how to label it: profiles (`--profile`) and benchmarks charge time to
/// `profileKind` and compute GFLOP/s from `flops`, for every op, without a list of their own.
extension Op {
    /// The profile bucket: the op's name, refined where the kernels differ ("conv2d 1x1", "matmul bf16",
    /// "sdpa flash").
    public func profileKind(_ inputs: [Tensor?]) -> String {
        switch self {
        case .matmul:
            let b = inputs[1]!
            return b.dtype == .f32 ? "matmul" : "matmul \(b.dtype.rawValue)"
        case .conv2d:
            let w = inputs[1]!
            return w.size(2) == 1 && w.size(3) == 1 ? "conv2d 1x1" : "conv2d \(w.size(2))x\(w.size(3))"
        case .attention(let kernel, _, _, _, _):
            return "sdpa \(kernel)"
        case .upsampleNearest:
            return "upsample"
        default:
            return name
        }
    }

    /// Floating-point operations of the call (an FMA counts 2) for the ops whose count is meaningful
    /// (products, convolutions, attention); 0 for the others.
    public func flops(_ inputs: [Tensor?]) -> Double {
        switch self {
        case let .matmul(transposeA, transposeB, _, _):
            // a: [..., M, K], b: [..., K, N] (either transposed) → 2·M·N·K per batch item.
            let a = inputs[0]!, b = inputs[1]!
            let k = transposeA ? a.size(-2) : a.size(-1), n = transposeB ? b.size(-2) : b.size(-1)
            return 2 * Double(a.count / max(k, 1)) * Double(n) * Double(k)
        case .linear(let prepacked):
            let x = inputs[0]!, w = inputs[1]!
            return 2 * Double(x.count) * Double(prepacked ? w.size(1) : w.size(0))
        case let .conv2d(stride, padding):
            // x: [N, Cin, H, W], weight: [Cout, Cin, kh, kw] → 2·N·Cout·Hout·Wout·Cin·kh·kw.
            let x = inputs[0]!, w = inputs[1]!
            let hOut = (x.size(2) + 2 * padding - w.size(2)) / stride + 1
            let wOut = (x.size(3) + 2 * padding - w.size(3)) / stride + 1
            return 2 * Double(x.size(0) * hOut * wOut) * Double(w.count)
        case .pointwiseConv:
            let x = inputs[0]!, w = inputs[1]!
            return 2 * Double(x.size(0) * x.size(2) * x.size(3)) * Double(w.count)
        case .attention:
            // q: [B, H, Lq, D], k: [B, H, Lkv, D] → 4·B·H·Lq·Lkv·D (two products).
            return 4 * Double(inputs[0]!.count) * Double(inputs[1]!.size(-2))
        default:
            return 0
        }
    }

    /// The call's shape in a few words, for per-shape profiles ("2× M 4096 N 320 K 320 Bᵀ"); empty for
    /// the ops whose time is not worth splitting by shape.
    public func shapeDescription(_ inputs: [Tensor?]) -> String {
        switch self {
        case let .matmul(transposeA, transposeB, _, _):
            let a = inputs[0]!, b = inputs[1]!
            let k = transposeA ? a.size(-2) : a.size(-1), n = transposeB ? b.size(-2) : b.size(-1)
            let batch = a.count / max(a.size(-1) * a.size(-2), 1), m = transposeA ? a.size(-1) : a.size(-2)
            return "\(batch > 1 ? "\(batch)× " : "")M \(m) N \(n) K \(k)" + (transposeA ? " Aᵀ" : "") + (transposeB ? " Bᵀ" : "")
                + (b.rank == 2 && batch > 1 ? " (2-D B)" : "")
        case .conv2d(let stride, _):
            let x = inputs[0]!, w = inputs[1]!
            return "\(x.size(0))× \(x.size(1))→\(w.size(0)) \(x.size(2))×\(x.size(3))" + (stride > 1 ? " s\(stride)" : "")
        case .attention:
            let q = inputs[0]!, k = inputs[1]!
            return "\(q.size(0))×\(q.size(1)) Lq \(q.size(-2)) Lkv \(k.size(-2)) D \(q.size(-1))"
        default:
            return ""
        }
    }
}

/// The operations a compute backend provides. `nn` and the models call only these; the CPU backend
/// (`DiffuseCPU.CPUBackend`) implements them today, a CUDA backend later.
///
/// Conventions shared by every op:
/// - Inputs may be any layout (views); outputs are new contiguous tensors.
/// - Floating inputs may be f32, f16 or bf16; arithmetic is in f32 and the output has the dtype of the
///   first input unless stated. Shape mismatches are programming errors and stop with a message that
///   names the op and both shapes.
/// - Images are NCHW.
public protocol Backend: Sendable {
    /// Short name for logs and benchmark output ("cpu").
    var name: String { get }

    /// `alpha · op(a) · op(b) (+ beta · c)`, batched.
    ///
    /// a: [..., M, K] (or [..., K, M] with `transposeA`), b: [..., K, N] (or [..., N, K] with `transposeB`).
    /// Batch dimensions of a and b must be equal, or b may be 2-D (a shared weight).
    /// `c`, when given, has the result's shape [..., M, N] and is scaled by `beta` and added.
    /// Any strides are accepted; the kernel copies only when neither of the last two dimensions has stride 1.
    func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool,
                alpha: Float, beta: Float, c: Tensor?) -> Tensor

    /// 2-D convolution. x: [N, Cin, H, W], weight: [Cout, Cin, kh, kw], bias: [Cout].
    /// Output: [N, Cout, (H + 2p − kh)/s + 1, (W + 2p − kw)/s + 1].
    func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor

    /// Group normalisation over [N, C, *]: C split in `groups`, per-channel affine, optionally followed by SiLU.
    func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, fusedSiLU: Bool) -> Tensor

    /// Layer normalisation over the last dimension. weight, bias: [D].
    func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor

    /// Softmax over the last dimension (numerically stable: subtracts the row maximum).
    func softmax(_ x: Tensor) -> Tensor

    /// Elementwise activation.
    func activation(_ x: Tensor, _ kind: Activation) -> Tensor

    /// GEGLU: x [..., 2D] split into (h, g) halves on the last axis → h · gelu_erf(g), [..., D].
    func geglu(_ x: Tensor) -> Tensor

    /// Elementwise a + b with NumPy broadcasting.
    func add(_ a: Tensor, _ b: Tensor) -> Tensor

    /// Elementwise a · b with NumPy broadcasting.
    func mul(_ a: Tensor, _ b: Tensor) -> Tensor

    /// `x · scale` (elementwise).
    func scale(_ x: Tensor, by scale: Float) -> Tensor

    /// Nearest-neighbour 2× upsampling of [N, C, H, W] → [N, C, 2H, 2W].
    func upsampleNearest2x(_ x: Tensor) -> Tensor

    /// Nearest-neighbour resizing of [N, C, H, W] → [N, C, height, width] with torch's `nearest` rule
    /// (`F.interpolate(size=…, mode="nearest")`): source index min(floor(dst · Float(in)/Float(out)), in − 1).
    func upsampleNearest(_ x: Tensor, height: Int, width: Int) -> Tensor

    /// Concatenation along `dim`; all other dimensions must match.
    func concat(_ tensors: [Tensor], dim: Int) -> Tensor

    /// Row gather: table [V, D], ids (i32 or i64) of any shape S → [S..., D]. Out-of-range ids stop with a message.
    func embedding(_ table: Tensor, ids: Tensor) -> Tensor

    /// diffusers' `get_timestep_embedding` (embeddings.py): timesteps [N] → [N, dim].
    /// exponent = −ln(maxPeriod) · i / (half − freqShift); emb = t · exp(exponent); [sin, cos] (or [cos, sin]
    /// with `flipSinToCos`), zero-padded when `dim` is odd.
    func timestepEmbedding(_ timesteps: Tensor, dim: Int, flipSinToCos: Bool, freqShift: Float,
                           scale: Float, maxPeriod: Float) -> Tensor
}

/// Elementwise activations, named as in diffusers / transformers.
public enum Activation: String, Sendable, CaseIterable {
    /// 1 / (1 + e^(−x)).
    case sigmoid
    /// x · sigmoid(x).
    case silu
    /// 0.5 · x · (1 + erf(x / √2)) — `nn.GELU()`, transformers "gelu".
    case gelu
    /// 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))) — `nn.GELU(approximate="tanh")`.
    case geluTanh
    /// x · sigmoid(1.702 x) — CLIP's "quick_gelu".
    case quickGelu
}

extension Backend {
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        matmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0, c: nil)
    }

    public func timestepEmbedding(_ timesteps: Tensor, dim: Int, flipSinToCos: Bool, freqShift: Float) -> Tensor {
        timestepEmbedding(timesteps, dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift, scale: 1, maxPeriod: 10000)
    }
}

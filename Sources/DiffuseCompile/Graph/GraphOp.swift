import DiffuseCore

/// One operation of a captured graph: every `Backend` / `AttentionBackend` op with its parameters, the
/// copies made outside the backend, and the fused ops the passes create. Tensor arguments are the node's
/// `inputs`, in the order listed per case (nil for an absent optional argument).
public enum GraphOp: Hashable, Sendable {
    /// inputs: a, b, c?
    case matmul(transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float)
    /// inputs: x, weight, bias?
    case conv2d(stride: Int, padding: Int)
    /// inputs: x, weight?, bias?
    case groupNorm(groups: Int, eps: Float, silu: Bool)
    /// inputs: x, weight?, bias?
    case layerNorm(eps: Float)
    case softmax
    case activation(Activation)
    case geglu
    /// inputs: a, b
    case add
    /// inputs: a, b
    case mul
    case scale(Float)
    case upsampleNearest2x
    case upsampleNearest(height: Int, width: Int)
    /// inputs: the tensors
    case concat(dim: Int)
    /// inputs: table, ids
    case embedding
    /// inputs: timesteps
    case timestepEmbedding(dim: Int, flipSinToCos: Bool, freqShift: Float, scale: Float, maxPeriod: Float)
    /// inputs: q, k, v, mask?
    case attention(kernel: SDPBackend, scale: Float?, isCausal: Bool, outputDType: DType, booleanMask: Bool)
    /// `Tensor.contiguous()`. inputs: x
    case copy
    /// `Tensor.converted(to:)` of a contiguous tensor. inputs: x
    case convert(DType)
    /// `Tensor.zeroPadded2D`. inputs: x
    case zeroPad2D(left: Int, right: Int, top: Int, bottom: Int)
    /// Fused (`LinearFusion`, `ResidualFusion`, `WeightPrepacking`): x · Wᵀ (+ bias) (+ residual), f32.
    /// inputs: x [..., K], weight [N, K] (or, `prepacked`, Wᵀ [K, N]), bias [N]?, residual [..., N]?
    case linear(prepacked: Bool)
    /// Fused (`ResidualFusion`): a 1×1 stride-1 convolution plus a residual, f32.
    /// inputs: x [B, Cin, H, W], weight [Cout, Cin, 1, 1], bias [Cout]?, residual [B, Cout, H, W]
    case pointwiseConv

    /// Short name for summaries and errors.
    public var name: String {
        switch self {
        case .matmul: "matmul"
        case .conv2d: "conv2d"
        case .groupNorm(_, _, let silu): silu ? "groupNorm+silu" : "groupNorm"
        case .layerNorm: "layerNorm"
        case .softmax: "softmax"
        case .activation(let kind): kind.rawValue
        case .geglu: "geglu"
        case .add: "add"
        case .mul: "mul"
        case .scale: "scale"
        case .upsampleNearest2x, .upsampleNearest: "upsample"
        case .concat: "concat"
        case .embedding: "embedding"
        case .timestepEmbedding: "timestepEmbedding"
        case .attention(let kernel, _, _, _, _): "attention(\(kernel))"
        case .copy: "copy"
        case .convert(let dtype): "convert(\(dtype))"
        case .zeroPad2D: "zeroPad2D"
        case .linear(let packed): packed ? "linear(prepacked)" : "linear"
        case .pointwiseConv: "pointwiseConv"
        }
    }
}

/// The one list of operations a compute backend runs. Everything above the tensor core (layers,
/// models, schedulers, pipelines) computes through these; a backend implements them in
/// `Backend.execute` (the CPU backend: `DiffuseCPU/CPUBackend+Execute.swift`), and wrappers — profiling,
/// graph capture for compile, precision policy — intercept `execute` generically, without re-listing ops.
///
/// Each case states its operands (the tensors passed to `execute`, in this order; `?` = optional, passed
/// as nil when absent) and its attributes (the case's associated values). The shape rule is
/// `outputShape(_:)` (`Op+Shape.swift`), the typed calls follow the enum in this file, the cost model in
/// `Op+Cost.swift`. Adding an op: a case here (+ its shape rule, typed call and cost) and one kernel per
/// backend; the conformance test (`Tests/DiffuseCPUTests/OpConformanceTests.swift`) walks this list.
///
/// Conventions: inputs may be any layout (views); results are new contiguous tensors on the backend's
/// device. Floating inputs may be f32, f16 or bf16; arithmetic is in f32 and the result has the first
/// input's dtype unless stated. Images are NCHW.
public enum Op: Hashable, Sendable {
    // MARK: Products

    /// `alpha · op(a) · op(b) (+ beta · c)`, batched. Operands: a [..., M, K] (or [..., K, M] with
    /// `transposeA`), b [..., K, N] (or [..., N, K] with `transposeB`; batch equal to a's, or 2-D: a shared
    /// weight), c? [..., M, N]. Result [..., M, N], a's dtype.
    case matmul(transposeA: Bool, transposeB: Bool, alpha: Float, beta: Float)
    /// A fused `Linear`: x · Wᵀ (+ bias) (+ residual). Operands: x [..., K], weight [N, K] (or, `prepacked`,
    /// Wᵀ [K, N]), bias? [N], residual? [..., N]. Result [..., N], x's dtype.
    case linear(prepacked: Bool)
    /// 2-D convolution. Operands: x [N, Cin, H, W], weight [Cout, Cin, kh, kw], bias? [Cout].
    /// Result [N, Cout, (H + 2p − kh)/s + 1, (W + 2p − kw)/s + 1].
    case conv2d(stride: Int, padding: Int)
    /// A fused 1×1 stride-1 convolution plus a residual. Operands: x [B, Cin, H, W],
    /// weight [Cout, Cin, 1, 1], bias? [Cout], residual [B, Cout, H, W]. Result [B, Cout, H, W].
    case pointwiseConv

    // MARK: Normalisation

    /// Group normalisation over [N, C, *] (C split in `groups`), per-channel affine, then SiLU when `silu`.
    /// Operands: x, weight? [C], bias? [C].
    case groupNorm(groups: Int, eps: Float, silu: Bool)
    /// Layer normalisation over the last dimension. Operands: x [..., D], weight? [D], bias? [D].
    case layerNorm(eps: Float)
    /// Softmax over the last dimension (subtracts the row maximum). Operands: x.
    case softmax

    // MARK: Elementwise

    /// An activation (`Activation`), elementwise. Operands: x.
    case activation(Activation)
    /// GEGLU: x [..., 2D] split into (h, g) on the last axis → h · gelu_erf(g), [..., D]. Operands: x.
    case geglu
    /// a + b, NumPy broadcasting. Operands: a, b.
    case add
    /// a − b, NumPy broadcasting. Operands: a, b.
    case sub
    /// a · b, NumPy broadcasting. Operands: a, b.
    case mul
    /// x · factor. Operands: x.
    case scale(Float)
    /// x / divisor (a true division, not a multiplication by the reciprocal: schedulers round as
    /// diffusers' `sample / sigma`). Operands: x.
    case divide(Float)
    /// min(max(x, lower), upper). Operands: x.
    case clamp(lower: Float, upper: Float)
    /// Σ cᵢ · xᵢ in f32, summed left to right with every product and sum rounded (no FMA): c₀x₀ + c₁x₁ + …
    /// equals the scalar Swift (and NumPy / torch) expression term by term, so schedulers written with it
    /// keep diffusers' float32 rounding. Operands: x₀, x₁, … (one shape). Result f32.
    case linearCombination(coefficients: [Float])

    // MARK: Data movement

    /// A row-major copy (always a new buffer). Operands: x.
    case contiguous
    /// A contiguous copy in `dtype` (floats → bf16 round to nearest even; floats → integers truncate).
    /// Operands: x.
    case cast(DType)
    /// Zero padding of NCHW: `F.pad(x, (left, right, top, bottom))`. Operands: x [N, C, H, W].
    case pad2D(left: Int, right: Int, top: Int, bottom: Int)
    /// A new tensor of `shape` and `dtype` with every element `value`. No operands.
    case fill(shape: [Int], dtype: DType, value: Float)
    /// Concatenation along `dim`; other dimensions must match. Operands: the tensors (first's dtype).
    case concat(dim: Int)
    /// Nearest-neighbour resize of [N, C, H, W] to [N, C, height, width] with torch's `nearest` rule:
    /// source index min(floor(dst · Float(in)/Float(out)), in − 1). Operands: x.
    case upsampleNearest(height: Int, width: Int)
    /// Row gather. Operands: table [V, D], ids (i32/i64) of shape S. Result [S..., D], table's dtype.
    case embedding

    // MARK: Diffusion-specific

    /// diffusers' `get_timestep_embedding` (embeddings.py). Operands: timesteps [N] → [N, dim] f32:
    /// exponent = −ln(maxPeriod) · i / (half − freqShift); emb = scale · t · exp(exponent); [sin, cos]
    /// ([cos, sin] with `flipSinToCos`), zero-padded when `dim` is odd.
    case timestepEmbedding(dim: Int, flipSinToCos: Bool, freqShift: Float, scale: Float, maxPeriod: Float)
    /// softmax(scale · q·kᵀ + mask) · v with one attention kernel. Operands: q [B, H, Lq, D],
    /// k [B, H, Lkv, D], v [B, H, Lkv, Dv], mask? broadcastable to [B, H, Lq, Lkv] (boolean when
    /// `booleanMask`: nonzero = attend; else additive). Result [B, H, Lq, Dv] of `outputDType`. Which
    /// kernels a backend runs for a call is its `refusals` (see `AttentionProblem`).
    case attention(kernel: SDPBackend, scale: Float?, isCausal: Bool, outputDType: DType, booleanMask: Bool)
    /// A boolean mask's additive form: 0 → −∞, nonzero → 0, f32. Operands: mask (any dtype).
    case additiveMask
    /// The causal additive mask [queries, keys]: −∞ where key > query, else 0, f32. No operands.
    case causalMask(queries: Int, keys: Int)
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
    /// e^x (the VAE posterior's `std = exp(0.5 · logvar)`).
    case exp
    /// max(x, 0) — `nn.ReLU` (AutoencoderTiny's activation); NaN stays NaN, −0 stays −0, as in torch.
    case relu
    /// tanh(x) — `torch.tanh` (DecoderTiny's input clamp `tanh(x / 3) · 3`).
    case tanh
}

extension Op {
    /// Every op kind with representative attributes: what the conformance test walks. A new case must
    /// be added here too (the test fails on an op kind it has no case for).
    public static let kinds: [String] = [
        "matmul", "linear", "conv2d", "pointwiseConv", "groupNorm", "layerNorm", "softmax", "activation",
        "geglu", "add", "sub", "mul", "scale", "divide", "clamp", "linearCombination", "contiguous", "cast", "pad2D", "fill",
        "concat", "upsampleNearest", "embedding", "timestepEmbedding", "attention", "additiveMask", "causalMask",
    ]

    /// The op kind (the case name), for profiles, errors and the conformance test.
    public var kind: String {
        switch self {
        case .matmul: "matmul"
        case .linear: "linear"
        case .conv2d: "conv2d"
        case .pointwiseConv: "pointwiseConv"
        case .groupNorm: "groupNorm"
        case .layerNorm: "layerNorm"
        case .softmax: "softmax"
        case .activation: "activation"
        case .geglu: "geglu"
        case .add: "add"
        case .sub: "sub"
        case .mul: "mul"
        case .scale: "scale"
        case .divide: "divide"
        case .clamp: "clamp"
        case .linearCombination: "linearCombination"
        case .contiguous: "contiguous"
        case .cast: "cast"
        case .pad2D: "pad2D"
        case .fill: "fill"
        case .concat: "concat"
        case .upsampleNearest: "upsampleNearest"
        case .embedding: "embedding"
        case .timestepEmbedding: "timestepEmbedding"
        case .attention: "attention"
        case .additiveMask: "additiveMask"
        case .causalMask: "causalMask"
        }
    }

    /// A short readable name with the attribute that matters ("groupNorm+silu", "attention(flash)",
    /// "cast(f16)"), for summaries and errors.
    public var name: String {
        switch self {
        case .groupNorm(_, _, let silu): silu ? "groupNorm+silu" : "groupNorm"
        case .activation(let kind): kind.rawValue
        case .attention(let kernel, _, _, _, _): "attention(\(kernel))"
        case .cast(let dtype): "cast(\(dtype))"
        case .linear(let packed): packed ? "linear(prepacked)" : "linear"
        case .upsampleNearest: "upsample"
        default: kind
        }
    }
}

// MARK: - Typed calls
// One per op: builds the case and runs it through `execute`, so every wrapper sees it.

extension Backend {
    /// `Op.matmul`: a [..., M, K] · b [..., K, N] (transposes, alpha, beta · c as the op says).
    public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                       alpha: Float = 1, beta: Float = 0, c: Tensor? = nil) -> Tensor {
        execute(.matmul(transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta), [a, b, c])
    }

    /// `Op.linear`: x [..., K] · weight [N, K]ᵀ (+ bias [N]) (+ residual [..., N]).
    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, residual: Tensor? = nil,
                       prepacked: Bool = false) -> Tensor {
        execute(.linear(prepacked: prepacked), [x, weight, bias, residual])
    }

    /// `Op.conv2d`: x [N, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout]?.
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        execute(.conv2d(stride: stride, padding: padding), [x, weight, bias])
    }

    /// `Op.pointwiseConv`: conv1×1(x, weight, bias) + residual.
    public func pointwiseConv(_ x: Tensor, weight: Tensor, bias: Tensor?, residual: Tensor) -> Tensor {
        execute(.pointwiseConv, [x, weight, bias, residual])
    }

    /// `Op.groupNorm`.
    public func groupNorm(_ x: Tensor, groups: Int, weight: Tensor?, bias: Tensor?, eps: Float, fusedSiLU: Bool) -> Tensor {
        execute(.groupNorm(groups: groups, eps: eps, silu: fusedSiLU), [x, weight, bias])
    }

    /// `Op.layerNorm`.
    public func layerNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, eps: Float) -> Tensor {
        execute(.layerNorm(eps: eps), [x, weight, bias])
    }

    /// `Op.softmax` over the last dimension.
    public func softmax(_ x: Tensor) -> Tensor { execute(.softmax, [x]) }

    /// `Op.activation`.
    public func activation(_ x: Tensor, _ kind: Activation) -> Tensor { execute(.activation(kind), [x]) }

    /// `Op.geglu`: [..., 2D] → [..., D].
    public func geglu(_ x: Tensor) -> Tensor { execute(.geglu, [x]) }

    /// `Op.add`: a + b, broadcasting.
    public func add(_ a: Tensor, _ b: Tensor) -> Tensor { execute(.add, [a, b]) }

    /// `Op.sub`: a − b, broadcasting.
    public func sub(_ a: Tensor, _ b: Tensor) -> Tensor { execute(.sub, [a, b]) }

    /// `Op.mul`: a · b, broadcasting.
    public func mul(_ a: Tensor, _ b: Tensor) -> Tensor { execute(.mul, [a, b]) }

    /// `Op.scale`: x · factor.
    public func scale(_ x: Tensor, by factor: Float) -> Tensor { execute(.scale(factor), [x]) }

    /// `Op.divide`: x / divisor.
    public func divide(_ x: Tensor, by divisor: Float) -> Tensor { execute(.divide(divisor), [x]) }

    /// `Op.clamp`: min(max(x, lower), upper).
    public func clamp(_ x: Tensor, lower: Float, upper: Float) -> Tensor { execute(.clamp(lower: lower, upper: upper), [x]) }

    /// `Op.linearCombination`: Σ cᵢ · xᵢ (f32), left to right, e.g. `[(1, x), (-sigma, eps)]` = x − σ·ε.
    public func linearCombination(_ terms: [(Float, Tensor)]) -> Tensor {
        execute(.linearCombination(coefficients: terms.map(\.0)), terms.map(\.1))
    }

    /// `Op.contiguous`: a row-major copy, or `x` itself when it already is row-major.
    public func contiguous(_ x: Tensor) -> Tensor { x.isContiguous ? x : execute(.contiguous, [x]) }

    /// `Op.cast`: a contiguous copy in `dtype`, or `x` itself when dtype and layout already match.
    public func cast(_ x: Tensor, to dtype: DType) -> Tensor {
        x.dtype == dtype && x.isContiguous ? x : execute(.cast(dtype), [x])
    }

    /// `Op.pad2D`: zero padding of NCHW, `F.pad(x, (left, right, top, bottom))`.
    public func pad2D(_ x: Tensor, left: Int, right: Int, top: Int, bottom: Int) -> Tensor {
        execute(.pad2D(left: left, right: right, top: top, bottom: bottom), [x])
    }

    /// `Op.fill`: a new tensor with every element `value`.
    public func full(_ shape: [Int], value: Float, dtype: DType = .f32) -> Tensor {
        execute(.fill(shape: shape, dtype: dtype, value: value), [])
    }

    /// A new zero-filled tensor (`Op.fill` with 0).
    public func zeros(_ shape: [Int], dtype: DType = .f32) -> Tensor { full(shape, value: 0, dtype: dtype) }

    /// `Op.concat` along `dim`.
    public func concat(_ tensors: [Tensor], dim: Int) -> Tensor { execute(.concat(dim: dim), tensors) }

    /// `Op.upsampleNearest` to an explicit size.
    public func upsampleNearest(_ x: Tensor, height: Int, width: Int) -> Tensor {
        execute(.upsampleNearest(height: height, width: width), [x])
    }

    /// `Op.upsampleNearest` by 2: [N, C, H, W] → [N, C, 2H, 2W].
    public func upsampleNearest2x(_ x: Tensor) -> Tensor {
        require(x.rank == 4, "upsampleNearest2x: input must be [N, C, H, W], got shape \(x.shape)")
        return upsampleNearest(x, height: 2 * x.shape[2], width: 2 * x.shape[3])
    }

    /// `Op.embedding`: table [V, D], ids S → [S..., D].
    public func embedding(_ table: Tensor, ids: Tensor) -> Tensor { execute(.embedding, [table, ids]) }

    /// `Op.timestepEmbedding`: timesteps [N] → [N, dim].
    public func timestepEmbedding(_ timesteps: Tensor, dim: Int, flipSinToCos: Bool, freqShift: Float,
                                  scale: Float = 1, maxPeriod: Float = 10000) -> Tensor {
        execute(.timestepEmbedding(dim: dim, flipSinToCos: flipSinToCos, freqShift: freqShift, scale: scale,
                                   maxPeriod: maxPeriod), [timesteps])
    }

    /// `Op.attention` with `kernel`, whose `attentionRefusals` the caller found empty.
    /// Result: [B, H, Lq, Dv] of `problem.outputDType`.
    public func attention(_ problem: AttentionProblem, using kernel: SDPBackend) -> Tensor {
        execute(problem.op(kernel), problem.operands)
    }

    /// `Op.additiveMask`: 0 → −∞, nonzero → 0 (f32).
    public func additiveMask(_ mask: Tensor) -> Tensor { execute(.additiveMask, [mask]) }

    /// `Op.causalMask`: [queries, keys], −∞ above the diagonal.
    public func causalMask(queries: Int, keys: Int) -> Tensor { execute(.causalMask(queries: queries, keys: keys), []) }
}

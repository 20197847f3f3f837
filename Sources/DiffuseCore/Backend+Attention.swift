/// Attention is an op like the others (`Op.attention`); which kernels a backend runs for a call is its
/// capability query (`Backend.refusals`), which the dispatch in `DiffuseNN` (`SDPDispatch`) asks per
/// kernel in priority order.
extension Backend {
    /// Every reason `kernel` cannot run `problem` on this backend, one line each; empty when it can.
    /// Meaningful for problems whose `validationErrors` are empty.
    public func attentionRefusals(_ kernel: SDPBackend, for problem: AttentionProblem) -> [String] {
        refusals(problem.op(kernel), problem.operands)
    }
}

/// The attention kernels, as PyTorch names them (`torch.nn.attention.SDPBackend`). The default priority
/// is this order: flash, then memory-efficient, then math.
public enum SDPBackend: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// Tiled online softmax: extra memory O(tile), never O(q_len × kv_len).
    case flash
    /// Query-chunked: materialises one chunk × kv_len block of scores at a time.
    case memoryEfficient
    /// The plain reference: materialises all scores, softmax, then · v.
    case math

    /// Command-line spelling: "flash", "memory-efficient", "math".
    public var description: String {
        switch self {
        case .flash: "flash"
        case .memoryEfficient: "memory-efficient"
        case .math: "math"
        }
    }

    /// Accepts the command-line spellings and the case names.
    public init?(userName: String) {
        switch userName.lowercased() {
        case "flash": self = .flash
        case "memory-efficient", "memoryefficient", "memory_efficient", "mem-efficient", "efficient": self = .memoryEfficient
        case "math": self = .math
        default: return nil
        }
    }
}

/// An attention mask, broadcastable (NumPy rules, right-aligned) to [B, H, Lq, Lkv].
public enum AttentionMask: Sendable {
    /// Nonzero (or `true`) = the query attends to the key, as torch's boolean `attn_mask`. Any dtype.
    case boolean(Tensor)
    /// Added to the scaled scores (−∞ blocks a key). f32, f16 or bf16.
    case additive(Tensor)

    public var tensor: Tensor {
        switch self {
        case .boolean(let t), .additive(let t): t
        }
    }

    public var kindName: String {
        switch self {
        case .boolean: "boolean"
        case .additive: "additive"
        }
    }
}

/// The arguments of one attention call. q: [B, H, Lq, D], k: [B, H, Lkv, D], v: [B, H, Lkv, Dv]
/// (any layout; the diffusers head split is a permuted view). A row whose keys are all masked gives 0
/// (PyTorch ≥ 2.5's `_safe_softmax`), in every kernel. `isCausal` keeps key j for query i iff j ≤ i
/// (top-left aligned, as torch's `is_causal`); it combines with a mask.
public struct AttentionProblem: Sendable {
    public let q: Tensor
    public let k: Tensor
    public let v: Tensor
    public let mask: AttentionMask?
    /// nil = 1/√D.
    public let scale: Float?
    public let isCausal: Bool
    /// f32 or q's dtype.
    public let outputDType: DType

    public init(q: Tensor, k: Tensor, v: Tensor, mask: AttentionMask? = nil, scale: Float? = nil,
                isCausal: Bool = false, outputDType: DType? = nil) {
        self.q = q
        self.k = k
        self.v = v
        self.mask = mask
        self.scale = scale
        self.isCausal = isCausal
        self.outputDType = outputDType ?? q.dtype
    }

    public var batch: Int { q.rank == 4 ? q.shape[0] : 0 }
    public var heads: Int { q.rank == 4 ? q.shape[1] : 0 }
    public var qLength: Int { q.rank == 4 ? q.shape[2] : 0 }
    public var kvLength: Int { k.rank == 4 ? k.shape[2] : 0 }
    public var headDim: Int { q.rank == 4 ? q.shape[3] : 0 }
    public var valueDim: Int { v.rank == 4 ? v.shape[3] : 0 }
    public var outputShape: [Int] { [batch, heads, qLength, valueDim] }
    /// The scale applied to q·kᵀ.
    public var effectiveScale: Float { scale ?? 1 / Float(headDim).squareRoot() }

    /// Multiply-adds ×2 of q·kᵀ and p·v (the figure GFLOP/s are computed from), ignoring causal skipping.
    public var flops: Double {
        2 * Double(batch) * Double(heads) * Double(qLength) * Double(kvLength) * Double(headDim + valueDim)
    }

    /// What makes the call ill-formed for every kernel (shapes, dtypes); empty when it is well-formed.
    public var validationErrors: [String] {
        var errors: [String] = []
        for (name, t) in [("q", q), ("k", k), ("v", v)] {
            if t.rank != 4 { errors.append("\(name) must be 4-D [B, H, L, D], got shape \(t.shape)") }
            if !t.dtype.isFloatingPoint { errors.append("\(name) must be f32, f16 or bf16, got \(t.dtype)") }
        }
        guard errors.isEmpty else { return errors }
        if k.shape[0] != q.shape[0] || k.shape[1] != q.shape[1] || v.shape[0] != q.shape[0] || v.shape[1] != q.shape[1] {
            errors.append("q, k and v must share batch and heads: q \(q.shape), k \(k.shape), v \(v.shape)")
        }
        if q.shape[3] < 1 || v.shape[3] < 1 { errors.append("head dims must be ≥ 1 (q \(q.shape[3]), v \(v.shape[3]))") }
        if k.shape[3] != q.shape[3] { errors.append("k's head dim \(k.shape[3]) differs from q's \(q.shape[3])") }
        if v.shape[2] != k.shape[2] { errors.append("v's length \(v.shape[2]) differs from k's \(k.shape[2])") }
        if outputDType != .f32 && outputDType != q.dtype {
            errors.append("output dtype must be f32 or q's dtype \(q.dtype), got \(outputDType)")
        }
        if let scale, !scale.isFinite { errors.append("scale must be finite, got \(scale)") }
        if let mask {
            let m = mask.tensor
            let target = [q.shape[0], q.shape[1], q.shape[2], k.shape[2]]
            if case .additive = mask, !m.dtype.isFloatingPoint {
                errors.append("an additive mask must be f32, f16 or bf16, got \(m.dtype)")
            }
            if m.rank > 4 || !zip(m.shape.reversed(), target.reversed()).allSatisfy({ $0 == 1 || $0 == $1 }) {
                errors.append("mask of shape \(m.shape) does not broadcast to [B, H, Lq, Lkv] = \(target)")
            }
        }
        return errors
    }

    /// The op running this problem with `kernel`.
    public func op(_ kernel: SDPBackend) -> Op {
        var booleanMask = false
        if case .boolean = mask { booleanMask = true }
        return .attention(kernel: kernel, scale: scale, isCausal: isCausal, outputDType: outputDType, booleanMask: booleanMask)
    }

    /// The op's operands: q, k, v, mask?.
    public var operands: [Tensor?] { [q, k, v, mask?.tensor] }

    /// The problem an `Op.attention` with `operands` describes (nil for another op).
    public init?(_ op: Op, _ operands: [Tensor?]) {
        guard case let .attention(_, scale, isCausal, outputDType, booleanMask) = op, operands.count >= 3,
              let q = operands[0], let k = operands[1], let v = operands[2] else { return nil }
        let mask = operands.count > 3 ? operands[3].map { booleanMask ? AttentionMask.boolean($0) : .additive($0) } : nil
        self.init(q: q, k: k, v: v, mask: mask, scale: scale, isCausal: isCausal, outputDType: outputDType)
    }

    /// The mask as a [B, H, Lq, Lkv] view (stride 0 on broadcast dimensions). Requires a valid problem.
    public var expandedMask: Tensor? {
        guard let m = mask?.tensor else { return nil }
        var t = m
        while t.rank < 4 { t = t.unsqueezed(0) }
        return t.expanded(to: [batch, heads, qLength, kvLength])
    }
}

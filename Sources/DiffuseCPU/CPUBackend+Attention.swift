import DiffuseCore

/// Attention on the CPU: three kernels (`Kernels/Attention/`) and, per kernel, its list of requirement
/// checks in the style of PyTorch's `sdp_utils` — each check returns a one-line reason when it fails.
extension CPUBackend {
    /// One requirement: nil when met, else why not.
    typealias AttentionCheck = @Sendable (AttentionProblem) -> String?

    /// The largest head dim the flash kernel runs (512: the SD VAE mid-block attention, one head of 512
    /// channels; its scratch is then ≈ 0.6 MiB per thread, still independent of the sequence lengths).
    public static let flashMaxHeadDim = 512

    static let flashChecks: [AttentionCheck] = [
        { p in
            p.headDim <= flashMaxHeadDim && p.valueDim <= flashMaxHeadDim ? nil
                : "head dim \(max(p.headDim, p.valueDim)) > \(flashMaxHeadDim) (the tile scratch is sized for ≤ \(flashMaxHeadDim))"
        },
        sameDType,
        unitLastStride,
    ]

    static let memoryEfficientChecks: [AttentionCheck] = [
        { p in
            p.kvLength <= MemoryEfficientAttention.maxKVLength ? nil
                : "kv length \(p.kvLength) > \(MemoryEfficientAttention.maxKVLength): even a \(MemoryEfficientAttention.minChunk)-query chunk of scores would exceed its memory budget"
        },
        sameDType,
        unitLastStride,
    ]

    static let sameDType: AttentionCheck = { p in
        p.q.dtype == p.k.dtype && p.k.dtype == p.v.dtype ? nil
            : "q, k and v must have one dtype (got \(p.q.dtype), \(p.k.dtype), \(p.v.dtype))"
    }

    static let unitLastStride: AttentionCheck = { p in
        let bad = [("q", p.q), ("k", p.k), ("v", p.v)].filter { $0.1.shape[3] > 1 && $0.1.strides[3] != 1 }
        return bad.isEmpty ? nil
            : "the last dimension must have stride 1 (" + bad.map { "\($0.0) has stride \($0.1.strides[3])" }.joined(separator: ", ") + ")"
    }

    func attentionKernelRefusals(_ kernel: SDPBackend, for problem: AttentionProblem) -> [String] {
        let checks: [AttentionCheck]
        switch kernel {
        case .flash: checks = Self.flashChecks
        case .memoryEfficient: checks = Self.memoryEfficientChecks
        case .math: checks = []
        }
        return checks.compactMap { $0(problem) }
    }

    public func attention(_ problem: AttentionProblem, using kernel: SDPBackend) -> Tensor {
        let errors = problem.validationErrors + attentionKernelRefusals(kernel, for: problem)
        require(errors.isEmpty, "attention (\(kernel)): " + errors.joined(separator: "; "))
        switch kernel {
        case .flash:
            let out = Tensor(zeros: problem.outputShape, dtype: problem.outputDType)
            FlashAttention.run(problem, into: out)
            return out
        case .memoryEfficient:
            return MemoryEfficientAttention.run(problem)
        case .math:
            return MathAttention.run(problem)
        }
    }

    /// Peak extra bytes `kernel` allocates for `problem` besides its result (the flash figure is independent
    /// of the sequence lengths; the GEMM's own packing buffers, ≤ 1 MiB per thread, are not counted).
    public func attentionScratchBytes(_ kernel: SDPBackend, for problem: AttentionProblem) -> Int {
        switch kernel {
        case .flash: FlashAttention.scratchBytes(problem)
        case .memoryEfficient: MemoryEfficientAttention.scratchBytes(problem)
        case .math: MathAttention.scratchBytes(problem)
        }
    }
}

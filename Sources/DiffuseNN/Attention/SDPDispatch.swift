import DiffuseCore

/// Chooses the kernel for `scaledDotProductAttention`, as PyTorch's `sdp_utils` does: backends are tried in
/// priority order and the first whose requirement checks all pass runs. The checks are the compute
/// backend's (`AttentionBackend.attentionRefusals`), one line per failed requirement.
///
/// The priority list is a value the caller passes (the `ScaledDotProductAttention` processor holds the one
/// it was built with; `defaultPriority` unless `--attention` forced a kernel); a list restricts as well as
/// reorders. When no listed backend can run the call, the call fails with every listed backend's reasons
/// (`SDPError.noBackendCanRun`) — never a silent fallback to an unlisted one.
public enum SDPDispatch {
    /// flash, then memory-efficient, then math.
    public static let defaultPriority: [SDPBackend] = [.flash, .memoryEfficient, .math]

    /// Why `priority` is not a usable list (empty, repeated kernels), or nil when it is.
    public static func priorityError(_ priority: [SDPBackend]) -> String? {
        if priority.isEmpty { return "the list of attention kernels is empty" }
        if Set(priority).count != priority.count { return "the list of attention kernels \(priority) repeats a kernel" }
        return nil
    }

    /// The kernel that runs `problem` on `backend` under `priority`.
    /// Throws `SDPError.invalidInput` for ill-formed calls, `SDPError.noBackendCanRun` when every listed
    /// backend refuses.
    public static func select(_ problem: AttentionProblem, priority: [SDPBackend] = defaultPriority,
                              on backend: some Backend) throws(SDPError) -> SDPBackend {
        let errors = problem.validationErrors
        guard errors.isEmpty else { throw .invalidInput(errors) }
        var refusals: [SDPRefusal] = []
        for kernel in priority {
            let reasons = backend.attentionRefusals(kernel, for: problem)
            if reasons.isEmpty { return kernel }
            refusals.append(SDPRefusal(backend: kernel, reasons: reasons))
        }
        throw .noBackendCanRun(backend: backend.name, refusals: refusals)
    }

    /// For every backend (`SDPBackend.allCases` order): whether it would run this call under `priority`,
    /// and why not. For `diffuse devices` and logs.
    public static func explain(q: Tensor, k: Tensor, v: Tensor, mask: AttentionMask? = nil, scale: Float? = nil,
                               isCausal: Bool = false, priority: [SDPBackend] = defaultPriority,
                               on backend: some Backend) -> [SDPExplanation] {
        explain(AttentionProblem(q: q, k: k, v: v, mask: mask, scale: scale, isCausal: isCausal), priority: priority, on: backend)
    }

    public static func explain(_ problem: AttentionProblem, priority: [SDPBackend] = defaultPriority,
                               on backend: some Backend) -> [SDPExplanation] {
        let errors = problem.validationErrors
        var chosen: SDPBackend?
        var verdicts: [SDPBackend: SDPExplanation] = [:]
        for kernel in SDPBackend.allCases {
            let rank = priority.firstIndex(of: kernel)
            let reasons = errors.isEmpty ? backend.attentionRefusals(kernel, for: problem) : errors
            let verdict: SDPExplanation.Verdict
            if !reasons.isEmpty {
                verdict = .refused
            } else if rank == nil {
                verdict = .excluded
            } else {
                verdict = .eligible
            }
            verdicts[kernel] = SDPExplanation(backend: kernel, priority: rank, verdict: verdict, reasons: reasons)
        }
        for kernel in priority where verdicts[kernel]?.verdict == .eligible {
            chosen = kernel
            break
        }
        return SDPBackend.allCases.map { kernel in
            let e = verdicts[kernel]!
            return kernel == chosen ? SDPExplanation(backend: kernel, priority: e.priority, verdict: .runs, reasons: []) : e
        }
    }
}

/// One backend's refusal: all its failed requirements.
public struct SDPRefusal: Sendable, Equatable, CustomStringConvertible {
    public let backend: SDPBackend
    public let reasons: [String]
    public var description: String { "\(backend): " + reasons.joined(separator: "; ") }
}

/// What `SDPDispatch.explain` says about one backend.
public struct SDPExplanation: Sendable, Equatable, CustomStringConvertible {
    public enum Verdict: String, Sendable {
        /// The first eligible backend in the priority list: it runs the call.
        case runs
        /// Its checks pass, but a backend earlier in the list runs.
        case eligible
        /// Its checks pass, but the priority list leaves it out.
        case excluded
        /// At least one check failed (see `reasons`).
        case refused
    }
    public let backend: SDPBackend
    /// Position in the current priority list; nil when not listed.
    public let priority: Int?
    public let verdict: Verdict
    public let reasons: [String]

    public var description: String {
        switch verdict {
        case .runs: "\(backend): runs"
        case .eligible: "\(backend): could run (lower priority)"
        case .excluded: "\(backend): could run, but not in the allowed list"
        case .refused: "\(backend): refused — " + reasons.joined(separator: "; ")
        }
    }
}

/// Why `scaledDotProductAttention` did not run.
public enum SDPError: Error, Equatable, CustomStringConvertible {
    /// The call is ill-formed for every backend (shapes, dtypes).
    case invalidInput([String])
    /// Every backend in the current priority list refused; each with all its reasons.
    case noBackendCanRun(backend: String, refusals: [SDPRefusal])

    public var description: String {
        switch self {
        case .invalidInput(let errors):
            "scaled_dot_product_attention: " + errors.joined(separator: "; ")
        case .noBackendCanRun(let backend, let refusals):
            "scaled_dot_product_attention: no allowed attention backend can run this call on \(backend):\n"
                + refusals.map { r in "  \(r.backend): " + r.reasons.joined(separator: "\n    ") }.joined(separator: "\n")
        }
    }
}

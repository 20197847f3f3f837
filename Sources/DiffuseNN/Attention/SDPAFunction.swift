import DiffuseCore

/// softmax(scale · q·kᵀ + mask) · v, with the kernel chosen by `SDPDispatch` (flash, then memory-efficient,
/// then math, unless a `withAttentionBackends` scope says otherwise) — `F.scaled_dot_product_attention`.
///
/// q: [B, H, Lq, D], k: [B, H, Lkv, D], v: [B, H, Lkv, Dv], any layout (the diffusers head split, a
/// permuted view, is fine), f32 / f16 / bf16 computed in f32. `mask` broadcasts to [B, H, Lq, Lkv];
/// `scale` nil = 1/√D; `isCausal` keeps key j for query i iff j ≤ i. A query whose keys are all masked
/// gets 0. Result: a new contiguous [B, H, Lq, Dv] tensor of dtype `outputDType` (f32 or q's; nil = q's).
public func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: AttentionMask? = nil,
                                      scale: Float? = nil, isCausal: Bool = false, outputDType: DType? = nil,
                                      on backend: some Backend) throws(SDPError) -> Tensor {
    let problem = AttentionProblem(q: q, k: k, v: v, mask: mask, scale: scale, isCausal: isCausal,
                                   outputDType: outputDType)
    let kernel = try SDPDispatch.select(problem, on: backend)
    return backend.attention(problem, using: kernel)
}

/// Runs `body` with attention restricted to `backends`, tried in that order (innermost scope wins;
/// task-local, so it follows structured concurrency). `[.math]` forces math; a forced backend that cannot
/// run a call makes that call throw with every reason.
public func withAttentionBackends<R>(_ backends: [SDPBackend], _ body: () throws -> R) rethrows -> R {
    require(!backends.isEmpty, "withAttentionBackends: the list of backends is empty")
    return try SDPDispatch.$scopedPriority.withValue(backends, operation: body)
}

/// The async form of `withAttentionBackends(_:_:)`.
public func withAttentionBackends<R>(_ backends: [SDPBackend], isolation: isolated (any Actor)? = #isolation,
                                     _ body: () async throws -> R) async rethrows -> R {
    require(!backends.isEmpty, "withAttentionBackends: the list of backends is empty")
    return try await SDPDispatch.$scopedPriority.withValue(backends, operation: body, isolation: isolation)
}

import DiffuseCore

/// softmax(scale · q·kᵀ + mask) · v, with the kernel chosen by `SDPDispatch` from `priority` (flash, then
/// memory-efficient, then math by default) — `F.scaled_dot_product_attention`.
///
/// q: [B, H, Lq, D], k: [B, H, Lkv, D], v: [B, H, Lkv, Dv], any layout (the diffusers head split, a
/// permuted view, is fine), f32 / f16 / bf16 computed in f32. `mask` broadcasts to [B, H, Lq, Lkv];
/// `scale` nil = 1/√D; `isCausal` keeps key j for query i iff j ≤ i. A query whose keys are all masked
/// gets 0. Result: a new contiguous [B, H, Lq, Dv] tensor of dtype `outputDType` (f32 or q's; nil = q's).
public func scaledDotProductAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: AttentionMask? = nil,
                                      scale: Float? = nil, isCausal: Bool = false, outputDType: DType? = nil,
                                      priority: [SDPBackend] = SDPDispatch.defaultPriority,
                                      on backend: some Backend) throws(SDPError) -> Tensor {
    let problem = AttentionProblem(q: q, k: k, v: v, mask: mask, scale: scale, isCausal: isCausal,
                                   outputDType: outputDType)
    let kernel = try SDPDispatch.select(problem, priority: priority, on: backend)
    return backend.attention(problem, using: kernel)
}

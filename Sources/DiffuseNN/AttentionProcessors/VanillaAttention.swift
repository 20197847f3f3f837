import DiffuseCore

/// The classic attention that materialises the [B, H, Lq, Lkv] score matrix: scores = scale·q·kᵀ
/// (+ mask), softmax, probabilities·v. diffusers `AttnProcessor` (attention_processor.py:
/// `get_attention_scores` + `baddbmm` + `bmm`) — the baseline of the accelerated-attention study.
public struct VanillaAttention: AttentionProcessor {
    public init() {}
    public var name: String { "vanilla" }

    public func attend(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, scale: Float,
                       options: AttentionOptions, backend: any Backend) throws -> Tensor {
        let upcast = options.upcastAttention && query.dtype != .f32
        let q = upcast ? backend.cast(query, to: .f32) : query
        let k = upcast ? backend.cast(key, to: .f32) : key
        // scores: [B, H, Lq, Lkv]
        var scores = backend.matmul(q, k, transposeA: false, transposeB: true, alpha: scale, beta: 0, c: nil)
        if let additive = AttentionMasks.additive(mask, causal: options.isCausal,
                                                  queries: query.size(-2), keys: key.size(-2), backend: backend) {
            scores = backend.add(scores, backend.cast(additive, to: scores.dtype))
        }
        if options.upcastSoftmax && scores.dtype != .f32 { scores = backend.cast(scores, to: .f32) }
        let probabilities = backend.cast(backend.softmax(scores), to: value.dtype)
        // out: [B, H, Lq, D]
        return backend.matmul(probabilities, value)
    }
}

/// `VanillaAttention` one slice of batch·heads at a time, so the score matrix exists for `sliceSize`
/// heads at once. diffusers `SlicedAttnProcessor`.
public struct SlicedAttention: AttentionProcessor {
    public let sliceSize: Int

    public init(sliceSize: Int) {
        require(sliceSize >= 1, "SlicedAttention: slice size must be ≥ 1, got \(sliceSize)")
        self.sliceSize = sliceSize
    }

    public var name: String { "sliced(\(sliceSize))" }

    public func attend(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, scale: Float,
                       options: AttentionOptions, backend: any Backend) throws -> Tensor {
        let (b, h, lq, d) = (query.size(0), query.size(1), query.size(2), value.size(3))
        let lkv = key.size(2)
        // Flatten batch·heads: [B·H, L, D].
        let q = backend.contiguous(query).reshaped([b * h, lq, query.size(3)])
        let k = backend.contiguous(key).reshaped([b * h, lkv, key.size(3)])
        let v = backend.contiguous(value).reshaped([b * h, lkv, d])
        let m = mask.map { backend.contiguous($0.expanded(to: [b, h, lq, lkv])).reshaped([b * h, lq, lkv]) }
        var parts: [Tensor] = []
        var start = 0
        while start < b * h {
            let range = start..<min(start + sliceSize, b * h)
            let part = try VanillaAttention().attend(
                query: q.sliced(dim: 0, range).unsqueezed(0), key: k.sliced(dim: 0, range).unsqueezed(0),
                value: v.sliced(dim: 0, range).unsqueezed(0), mask: m.map { $0.sliced(dim: 0, range).unsqueezed(0) },
                scale: scale, options: options, backend: backend)
            parts.append(part.reshaped([range.count, lq, d]))
            start = range.upperBound
        }
        // [B·H, Lq, D] → [B, H, Lq, D]
        return backend.concat(parts, dim: 0).reshaped([b, h, lq, d])
    }
}

/// Mask helpers shared by the processors.
public enum AttentionMasks {
    /// The additive form of `mask` (integer masks: 0 → −∞, else 0) combined with a causal mask, or nil
    /// when there is neither. Shape: broadcastable to [B, H, Lq, Lkv]; on `backend`'s device.
    public static func additive(_ mask: Tensor?, causal: Bool, queries: Int, keys: Int, backend: any Backend) -> Tensor? {
        var result: Tensor? = nil
        if let mask {
            result = mask.dtype.isFloatingPoint ? mask : backend.additiveMask(mask)
        }
        if causal {
            let causalMask = backend.causalMask(queries: queries, keys: keys)
            result = result.map { backend.add(backend.cast($0, to: .f32), causalMask) } ?? causalMask
        }
        return result
    }
}

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
        let q = upcast ? query.converted(to: .f32) : query
        let k = upcast ? key.converted(to: .f32) : key
        // scores: [B, H, Lq, Lkv]
        var scores = backend.matmul(q, k, transposeA: false, transposeB: true, alpha: scale, beta: 0, c: nil)
        if let additive = AttentionMasks.additive(mask, causal: options.isCausal,
                                                  queries: query.size(-2), keys: key.size(-2)) {
            scores = backend.add(scores, additive.converted(to: scores.dtype))
        }
        if options.upcastSoftmax && scores.dtype != .f32 { scores = scores.converted(to: .f32) }
        let probabilities = backend.softmax(scores).converted(to: value.dtype)
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
        let q = query.reshaped([b * h, lq, query.size(3)])
        let k = key.reshaped([b * h, lkv, key.size(3)])
        let v = value.reshaped([b * h, lkv, d])
        let m = mask.map { $0.expanded(to: [b, h, lq, lkv]).reshaped([b * h, lq, lkv]) }
        let out = Tensor(zeros: [b * h, lq, d], dtype: value.dtype)
        var start = 0
        while start < b * h {
            let range = start..<min(start + sliceSize, b * h)
            let part = try VanillaAttention().attend(
                query: q.sliced(dim: 0, range).unsqueezed(0), key: k.sliced(dim: 0, range).unsqueezed(0),
                value: v.sliced(dim: 0, range).unsqueezed(0), mask: m.map { $0.sliced(dim: 0, range).unsqueezed(0) },
                scale: scale, options: options, backend: backend)
            part.copyStrided(to: out.rawPointer + range.lowerBound * lq * d * out.dtype.byteSize)
            start = range.upperBound
        }
        return out.reshaped([b, h, lq, d])
    }
}

/// Mask helpers shared by the processors.
public enum AttentionMasks {
    /// The additive form of `mask` (integer masks: 0 → −∞, else 0) combined with a causal mask, or nil
    /// when there is neither. Shape: broadcastable to [B, H, Lq, Lkv].
    public static func additive(_ mask: Tensor?, causal: Bool, queries: Int, keys: Int) -> Tensor? {
        var result: Tensor? = nil
        if let mask {
            if mask.dtype.isFloatingPoint {
                result = mask
            } else {
                let keep = mask.contiguous()
                let additive = Tensor(zeros: mask.shape, dtype: .f32)
                let p = additive.pointer(as: Float.self)
                for i in 0..<keep.count where keep.scalar(atFlat: i) == 0 { p[i] = -.infinity }
                result = additive
            }
        }
        if causal {
            let causalMask = Tensor(zeros: [queries, keys], dtype: .f32)
            let p = causalMask.pointer(as: Float.self)
            for i in 0..<queries { for j in 0..<keys where j > i { p[i * keys + j] = -.infinity } }
            result = result.map { addBroadcast($0.converted(to: .f32), causalMask) } ?? causalMask
        }
        return result
    }

    /// a + b with broadcasting, without a backend (masks are small and built once per call).
    private static func addBroadcast(_ a: Tensor, _ b: Tensor) -> Tensor {
        let rank = max(a.rank, b.rank)
        let pa = [Int](repeating: 1, count: rank - a.rank) + a.shape
        let pb = [Int](repeating: 1, count: rank - b.rank) + b.shape
        let shape = zip(pa, pb).map { max($0, $1) }
        let ea = a.reshaped(pa).expanded(to: shape).contiguous().floats()
        let eb = b.reshaped(pb).expanded(to: shape).contiguous().floats()
        return Tensor(zip(ea, eb).map { $0 + $1 }, shape: shape)
    }
}

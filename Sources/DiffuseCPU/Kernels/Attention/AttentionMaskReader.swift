import DiffuseCore

/// Reads an attention mask broadcast to [B, H, Lq, Lkv] (stride 0 on broadcast dimensions) and adds it to
/// blocks of scores: an additive mask adds `factor · value`, a boolean one writes −∞ where it is zero.
/// Scores may be laid out by rows (memory-efficient, math: stride 1 along keys) or transposed (flash:
/// keys × queries).
struct AttentionMaskReader: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let dtype: DType
    let isBoolean: Bool
    let strides: (b: Int, h: Int, i: Int, j: Int)

    init?(_ problem: AttentionProblem) {
        guard let mask = problem.mask, let expanded = problem.expandedMask else { return nil }
        base = expanded.rawPointer
        dtype = expanded.dtype
        if case .boolean = mask { isBoolean = true } else { isBoolean = false }
        strides = (expanded.strides[0], expanded.strides[1], expanded.strides[2], expanded.strides[3])
    }

    /// scores[r · rowStep + c · keyStep] for query i0 + r (r < rows), key j0 + c (c < keys) of head (b, h).
    func apply(b: Int, h: Int, i0: Int, rows: Int, j0: Int, keys: Int,
               to scores: UnsafeMutablePointer<Float>, rowStep: Int, keyStep: Int, factor: Float) {
        switch dtype {
        case .f32: run(Float.self, b, h, i0, rows, j0, keys, scores, rowStep, keyStep, factor) { $0 }
        case .f16: run(Float16.self, b, h, i0, rows, j0, keys, scores, rowStep, keyStep, factor) { Float($0) }
        case .bf16: run(UInt16.self, b, h, i0, rows, j0, keys, scores, rowStep, keyStep, factor) { BFloat16.float(fromBits: $0) }
        case .i32: run(Int32.self, b, h, i0, rows, j0, keys, scores, rowStep, keyStep, factor) { Float($0) }
        case .i64: run(Int64.self, b, h, i0, rows, j0, keys, scores, rowStep, keyStep, factor) { Float($0) }
        }
    }

    @inline(__always)
    private func run<T>(_: T.Type, _ b: Int, _ h: Int, _ i0: Int, _ rows: Int, _ j0: Int, _ keys: Int,
                        _ scores: UnsafeMutablePointer<Float>, _ rowStep: Int, _ keyStep: Int, _ factor: Float,
                        _ value: (T) -> Float) {
        let p = base.assumingMemoryBound(to: T.self) + (b &* strides.b &+ h &* strides.h &+ i0 &* strides.i &+ j0 &* strides.j)
        let si = strides.i, sj = strides.j
        if isBoolean {
            for r in 0..<rows {
                let row = p + r &* si, out = scores + r &* rowStep
                for c in 0..<keys where value(row[c &* sj]) == 0 { out[c &* keyStep] = -.infinity }
            }
        } else {
            for r in 0..<rows {
                let row = p + r &* si, out = scores + r &* rowStep
                for c in 0..<keys { out[c &* keyStep] += factor * value(row[c &* sj]) }
            }
        }
    }
}

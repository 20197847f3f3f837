import DiffuseCore

/// One of q, k, v (or the output) of an attention call seen as [B, H, L, D] through its strides, any of
/// f32 / f16 / bf16. Rows are read as f32 into the kernels' scratch (the conversion happens there, so f16
/// and bf16 inputs are never copied whole).
struct AttentionOperand: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let dtype: DType
    let batchStride: Int, headStride: Int, rowStride: Int, columnStride: Int

    init(_ t: Tensor) {
        require(t.rank == 4, "attention: operand must be 4-D, got \(t.shape)")
        base = t.rawPointer
        dtype = t.dtype
        batchStride = t.strides[0]
        headStride = t.strides[1]
        rowStride = t.strides[2]
        columnStride = t.strides[3]
    }

    /// Element offset of row `i` of head (b, h).
    @inline(__always)
    func rowOffset(_ b: Int, _ h: Int, _ i: Int) -> Int { b &* batchStride &+ h &* headStride &+ i &* rowStride }

    /// f32 pointer to head (b, h) of an f32 operand (element [i, d] at i·rowStride + d·columnStride).
    @inline(__always)
    func floats(_ b: Int, _ h: Int) -> UnsafeMutablePointer<Float> {
        base.assumingMemoryBound(to: Float.self) + rowOffset(b, h, 0)
    }

    /// Reads `count` elements of row i of head (b, h) as f32, times `factor`, to dst[0], dst[step], ….
    @inline(__always)
    func loadRow(_ b: Int, _ h: Int, _ i: Int, count: Int, factor: Float,
                 into dst: UnsafeMutablePointer<Float>, step: Int) {
        let start = rowOffset(b, h, i), cs = columnStride
        switch dtype {
        case .f32:
            let p = base.assumingMemoryBound(to: Float.self) + start
            if cs == 1 && step == 1 {
                if factor == 1 { dst.update(from: p, count: count) } else { scaleCopy(p, dst, count, factor) }
            } else {
                for d in 0..<count { dst[d &* step] = p[d &* cs] * factor }
            }
        case .f16:
            let p = base.assumingMemoryBound(to: Float16.self) + start
            if cs == 1 && step == 1 {
                convertF16(p, dst, count, factor)
            } else {
                for d in 0..<count { dst[d &* step] = Float(p[d &* cs]) * factor }
            }
        case .bf16:
            let p = base.assumingMemoryBound(to: UInt16.self) + start
            for d in 0..<count { dst[d &* step] = BFloat16.float(fromBits: p[d &* cs]) * factor }
        default:
            fatalError("attention: unsupported operand dtype \(dtype)")
        }
    }

    /// Writes `count` f32 values (src[0], src[step], … times `factor`) to row i of head (b, h) of an
    /// output this process allocated, converting to its dtype.
    @inline(__always)
    func storeRow(_ b: Int, _ h: Int, _ i: Int, count: Int, from src: UnsafePointer<Float>, step: Int, factor: Float) {
        let start = rowOffset(b, h, i), cs = columnStride
        switch dtype {
        case .f32:
            let p = base.assumingMemoryBound(to: Float.self) + start
            for d in 0..<count { p[d &* cs] = src[d &* step] * factor }
        case .f16:
            let p = base.assumingMemoryBound(to: Float16.self) + start
            for d in 0..<count { p[d &* cs] = Float16(src[d &* step] * factor) }
        case .bf16:
            let p = base.assumingMemoryBound(to: UInt16.self) + start
            for d in 0..<count { p[d &* cs] = BFloat16.bits(from: src[d &* step] * factor) }
        default:
            fatalError("attention: unsupported output dtype \(dtype)")
        }
    }
}

@inline(__always)
private func scaleCopy(_ p: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ factor: Float) {
    var d = 0
    while d + 8 <= n {
        dst.storeVector8(p.loadVector8(at: d) * factor, at: d)
        d += 8
    }
    while d < n { dst[d] = p[d] * factor; d += 1 }
}

@inline(__always)
private func convertF16(_ p: UnsafePointer<Float16>, _ dst: UnsafeMutablePointer<Float>, _ n: Int, _ factor: Float) {
    var d = 0
    while d + 8 <= n {
        let h = UnsafeRawPointer(p + d).loadUnaligned(as: SIMD8<Float16>.self)
        dst.storeVector8(SIMD8<Float>(h) * factor, at: d)
        d += 8
    }
    while d < n { dst[d] = Float(p[d]) * factor; d += 1 }
}

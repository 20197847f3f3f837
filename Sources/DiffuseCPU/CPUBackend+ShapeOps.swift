import DiffuseCore

extension CPUBackend {
    /// Nearest-neighbour resizing to an explicit size, [N, C, H, W] → [N, C, height, width]
    /// (`F.interpolate(size=(height, width), mode="nearest")`: source index floor(dst · in/out) in Float,
    /// clamped to in − 1). Copies bits: any dtype, output in x's dtype.
    public func upsampleNearest(_ x: Tensor, height: Int, width: Int) -> Tensor {
        require(x.rank == 4, "upsampleNearest: input must be [N, C, H, W], got shape \(x.shape)")
        require(height > 0 && width > 0, "upsampleNearest: output size \(height)×\(width) must be positive")
        let input = x.hostContiguous()
        let (h, w) = (x.shape[2], x.shape[3])
        require(h > 0 && w > 0, "upsampleNearest: input \(x.shape) has an empty spatial dimension")
        let out = Tensor(uninitialized: [x.shape[0], x.shape[1], height, width], dtype: x.dtype)
        withExtendedLifetime(input) {
            UpsampleNearestKernel.run(input.rawPointer, out.rawPointer, elementSize: x.dtype.byteSize,
                                      planes: x.shape[0] * x.shape[1], height: h, width: w,
                                      outHeight: height, outWidth: width)
        }
        return out
    }

    /// Concatenation along `dim` (negative counts from the end); all other dimensions must match.
    /// Output in the first tensor's dtype (others are converted to it).
    public func concat(_ tensors: [Tensor], dim: Int) -> Tensor {
        require(!tensors.isEmpty, "concat: no tensors given")
        let first = tensors[0]
        require(dim >= -first.rank && dim < first.rank, "concat: dimension \(dim) out of range for shape \(first.shape)")
        let d = first.normalized(dim)
        for t in tensors {
            require(t.rank == first.rank && zip(t.shape, first.shape).enumerated().allSatisfy { $0.offset == d || $0.element.0 == $0.element.1 },
                    "concat: shape \(t.shape) does not match \(first.shape) outside dimension \(dim)")
        }
        let parts = tensors.map { $0.dtype == first.dtype ? $0.hostContiguous() : $0.hostConverted(to: first.dtype) }
        var outShape = first.shape
        outShape[d] = parts.reduce(0) { $0 + $1.shape[d] }
        let out = Tensor(uninitialized: outShape, dtype: first.dtype)
        let outer = first.shape[..<d].reduce(1, *)
        let innerElements = first.shape[(d + 1)...].reduce(1, *)
        let bytes = parts.map { $0.shape[d] * innerElements * first.dtype.byteSize }
        withExtendedLifetime(parts) {
            BlockCopy.interleave(parts.map { UnsafeRawPointer($0.rawPointer) }, blockBytes: bytes, outer: outer, into: out.rawPointer)
        }
        return out
    }

    /// Row gather: table [V, D] (any dtype), ids i32/i64 of any shape S → [S..., D] in the table's dtype.
    /// An id outside 0..<V stops with a message naming it and the table size.
    public func embedding(_ table: Tensor, ids: Tensor) -> Tensor {
        require(table.rank == 2, "embedding: table must be [V, D], got shape \(table.shape)")
        require(ids.dtype == .i32 || ids.dtype == .i64, "embedding: ids must be i32 or i64, got \(ids.dtype) \(ids.shape)")
        let rows = table.shape[0], rowBytes = table.shape[1] * table.dtype.byteSize
        let source = table.hostContiguous()
        let indices = ids.hostContiguous()
        let n = ids.count
        var rowOf = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let id = ids.dtype == .i64 ? Int(indices.pointer(as: Int64.self)[i]) : Int(indices.pointer(as: Int32.self)[i])
            require(id >= 0 && id < rows,
                    "embedding: id \(id) (at flat position \(i) of ids \(ids.shape)) is outside the table of \(rows) rows, shape \(table.shape)")
            rowOf[i] = id
        }
        let out = Tensor(uninitialized: ids.shape + [table.shape[1]], dtype: table.dtype)
        let src = UnsafeRawPointer(source.rawPointer), dst = out.rawPointer
        withExtendedLifetime(source) {
            rowOf.withUnsafeBufferPointer { rowOf in
                Parallel.forRanges(n, grain: max(1, (1 << 16) / max(rowBytes, 1))) { range in
                    for i in range { (dst + i * rowBytes).copyMemory(from: src + rowOf[i] * rowBytes, byteCount: rowBytes) }
                }
            }
        }
        return out
    }
}

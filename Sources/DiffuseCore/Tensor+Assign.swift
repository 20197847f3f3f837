/// Writing into views of host tensors: how host kernels fill part of a tensor (a slice, a padded interior).
extension Tensor {
    /// Copies `source` (same shape, same dtype, any layout) into the elements this view addresses.
    /// The view must be of owned (not memory-mapped) storage.
    public func assign(_ source: Tensor) {
        require(source.shape == shape, "assign: source shape \(source.shape) differs from destination \(shape)")
        require(source.dtype == dtype, "assign: source dtype \(source.dtype) differs from destination \(dtype)")
        require(storage.kind == .owned, "assign: cannot write into memory-mapped (read-only) storage")
        if count == 0 { return }
        if isContiguous { source.copyStrided(to: rawPointer); return }
        let src = source.hostContiguous()
        let size = dtype.byteSize
        // Walk the destination's index space; the source is row-major.
        var index = [Int](repeating: 0, count: rank)
        for flat in 0..<count {
            var offset = 0
            for d in 0..<rank { offset += index[d] * strides[d] }
            (rawPointer + offset * size).copyMemory(from: src.rawPointer + flat * size, byteCount: size)
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
        }
    }
}

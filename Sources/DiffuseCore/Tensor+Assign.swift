/// Writing into views: the one way to fill part of a tensor (a slice, a padded interior) in place.
extension Tensor {
    /// Copies `source` (same shape, same dtype, any layout) into the elements this view addresses.
    /// The view must be of owned (not memory-mapped) storage.
    public func assign(_ source: Tensor) {
        require(source.shape == shape, "assign: source shape \(source.shape) differs from destination \(shape)")
        require(source.dtype == dtype, "assign: source dtype \(source.dtype) differs from destination \(dtype)")
        require(storage.kind == .owned, "assign: cannot write into memory-mapped (read-only) storage")
        if count == 0 { return }
        if isContiguous { source.copyStrided(to: rawPointer); return }
        let src = source.contiguous()
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

    /// A zero-padded copy of an NCHW tensor: `left`/`right` columns and `top`/`bottom` rows of zeros
    /// (`torch.nn.functional.pad(x, (left, right, top, bottom))`).
    public func zeroPadded2D(left: Int, right: Int, top: Int, bottom: Int) -> Tensor {
        require(rank == 4, "zeroPadded2D: expected an NCHW tensor, got \(shape)")
        require(min(left, right, top, bottom) >= 0, "zeroPadded2D: negative padding")
        let (h, w) = (shape[2], shape[3])
        let out = Tensor(zeros: [shape[0], shape[1], h + top + bottom, w + left + right], dtype: dtype)
        out.sliced(dim: 2, top..<(top + h)).sliced(dim: 3, left..<(left + w)).assign(self)
        TensorCopyObservation.observer?.tensorCopied(.zeroPad2D(left: left, right: right, top: top, bottom: bottom),
                                                     from: self, to: out)
        return out
    }
}

/// Views: new shapes or orders over the same storage. None of these copies (they work on every device);
/// a copy is an op (`Backend.contiguous`).
extension Tensor {
    /// The same elements in a new shape. One dimension may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        let inferred = target.indices.filter { target[$0] == -1 }
        require(inferred.count <= 1, "reshape: more than one -1 in \(newShape)")
        if let i = inferred.first {
            let known = target.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            require(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(newShape) for \(count) elements of \(shape)")
            target[i] = count / known
        }
        require(target.reduce(1, *) == count,
                     "reshape: shape \(shape) (\(count) elements) cannot become \(newShape) (\(target.reduce(1, *)) elements)")
        guard let viewStrides = Tensor.viewStrides(shape: shape, strides: strides, newShape: target) else {
            fatalError("reshape: the view of shape \(shape) strides \(strides) cannot be seen as \(newShape) without a "
                       + "copy; make it contiguous first (backend.contiguous)")
        }
        return Tensor(storage: storage, dtype: dtype, shape: target, strides: viewStrides, offset: offset)
    }

    /// The strides that show elements of (`shape`, `strides`) as `newShape` without moving them, or nil
    /// when no such strides exist (PyTorch's `computeStride`, the rule of `Tensor.view`).
    public static func viewStrides(shape: [Int], strides: [Int], newShape: [Int]) -> [Int]? {
        if shape.isEmpty || shape.contains(0) || newShape.isEmpty { return contiguousStrides(for: newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBaseStride = strides.last!
        var tensorCount = 1, viewCount = 1
        for tensorD in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorCount *= shape[tensorD]
            // The end of a chunk of dimensions that are contiguous among themselves.
            if tensorD == 0 || (shape[tensorD - 1] != 1 && strides[tensorD - 1] != tensorCount * chunkBaseStride) {
                while viewD >= 0 && (viewCount < tensorCount || newShape[viewD] == 1) {
                    newStrides[viewD] = viewCount * chunkBaseStride
                    viewCount *= newShape[viewD]
                    viewD -= 1
                }
                if viewCount != tensorCount { return nil }
                if tensorD > 0 {
                    chunkBaseStride = strides[tensorD - 1]
                    tensorCount = 1
                    viewCount = 1
                }
            }
        }
        return viewD == -1 ? newStrides : nil
    }

    /// Reorders dimensions: result dimension i is source dimension `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        let order = order.map { normalized($0) }
        require(order.count == rank && Set(order).count == rank,
                     "permute: \(order) is not a permutation of the \(rank) dimensions of \(shape)")
        return Tensor(storage: storage, dtype: dtype, shape: order.map { shape[$0] },
                      strides: order.map { strides[$0] }, offset: offset)
    }

    /// Swaps two dimensions.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalized(a), normalized(b))
        return permuted(order)
    }

    /// Elements `range` (with `step`) along `dim`.
    public func sliced(dim: Int, _ range: Range<Int>, step: Int = 1) -> Tensor {
        let d = normalized(dim)
        require(step >= 1, "slice: step must be ≥ 1, got \(step)")
        require(range.lowerBound >= 0 && range.upperBound <= shape[d],
                     "slice: range \(range) outside dimension \(dim) of size \(shape[d]) in \(shape)")
        var newShape = shape, newStrides = strides
        newShape[d] = (range.count + step - 1) / step
        newStrides[d] = strides[d] * step
        return Tensor(storage: storage, dtype: dtype, shape: newShape, strides: newStrides,
                      offset: offset + range.lowerBound * strides[d])
    }

    /// Splits `dim` into `parts` equal views (as `torch.chunk` with an exact division).
    public func chunked(_ parts: Int, dim: Int) -> [Tensor] {
        let d = normalized(dim)
        require(parts > 0 && shape[d] % parts == 0,
                     "chunk: dimension \(dim) of size \(shape[d]) in \(shape) does not split into \(parts) equal parts")
        let size = shape[d] / parts
        return (0..<parts).map { sliced(dim: d, ($0 * size)..<(($0 + 1) * size)) }
    }

    /// Inserts a dimension of size 1 at `dim`.
    public func unsqueezed(_ dim: Int) -> Tensor {
        let d = dim < 0 ? dim + rank + 1 : dim
        require(d >= 0 && d <= rank, "unsqueeze: dimension \(dim) out of range for shape \(shape)")
        var newShape = shape, newStrides = strides
        newShape.insert(1, at: d)
        newStrides.insert(d < rank ? strides[d] * shape[d] : 1, at: d)
        return Tensor(storage: storage, dtype: dtype, shape: newShape, strides: newStrides, offset: offset)
    }

    /// Removes dimension `dim`, which must have size 1.
    public func squeezed(_ dim: Int) -> Tensor {
        let d = normalized(dim)
        require(shape[d] == 1, "squeeze: dimension \(dim) has size \(shape[d]), not 1, in \(shape)")
        var newShape = shape, newStrides = strides
        newShape.remove(at: d)
        newStrides.remove(at: d)
        return Tensor(storage: storage, dtype: dtype, shape: newShape, strides: newStrides, offset: offset)
    }

    /// A view repeating size-1 dimensions to `newShape` (stride 0), as `torch.expand`.
    public func expanded(to newShape: [Int]) -> Tensor {
        require(newShape.count >= rank, "expand: cannot expand \(shape) to fewer dimensions \(newShape)")
        let lead = newShape.count - rank
        var newStrides = [Int](repeating: 0, count: newShape.count)
        for d in 0..<rank {
            let target = newShape[lead + d]
            require(shape[d] == target || shape[d] == 1,
                         "expand: dimension \(d) of size \(shape[d]) in \(shape) cannot become \(target) in \(newShape)")
            newStrides[lead + d] = shape[d] == target ? strides[d] : 0
        }
        return Tensor(storage: storage, dtype: dtype, shape: newShape, strides: newStrides, offset: offset)
    }
}

import DiffuseCore

/// One operand of `CPUBackend.matmul` as the GEMM sees it: op(X)[i, j] = tensor[batch…, i, j] (or [j, i] when
/// transposed) through `rowStride` / `columnStride`. A view is used as it is when one of its last two
/// dimensions has stride 1; otherwise it is copied to a contiguous tensor first.
struct MatMulOperand {
    /// The tensor the strides refer to (the source, or its contiguous copy).
    let tensor: Tensor
    let rowStride: Int
    let columnStride: Int

    init(_ x: Tensor, transposed: Bool) {
        let s0 = x.strides[x.rank - 2], s1 = x.strides[x.rank - 1]
        let inPlace = s1 == 1 || s0 == 1 || x.size(-1) == 1 || x.size(-2) == 1
        tensor = inPlace ? x : x.hostContiguous()
        let r = tensor.strides[tensor.rank - 2], c = tensor.strides[tensor.rank - 1]
        rowStride = transposed ? c : r
        columnStride = transposed ? r : c
    }

    /// Element offset of each batch item (row-major over `batch`) within `tensor`; a 2-D operand is shared
    /// by every item (offset 0).
    func batchOffsets(_ batch: [Int]) -> [Int] {
        let count = batch.reduce(1, *)
        if tensor.rank == 2 { return [Int](repeating: 0, count: count) }
        let strides = Array(tensor.strides.dropLast(2))
        var offsets = [Int](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: batch.count)
        for item in 0..<count {
            var offset = 0
            for d in 0..<batch.count { offset += index[d] * strides[d] }
            offsets[item] = offset
            var d = batch.count - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < batch[d] { break }
                index[d] = 0
                d -= 1
            }
        }
        return offsets
    }
}

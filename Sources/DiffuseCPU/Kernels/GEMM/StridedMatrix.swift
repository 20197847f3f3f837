/// A read-only f32 matrix seen through strides: element [i, j] is `base[i · rowStride + j · columnStride]`.
/// `op(A)` of a BLAS call is a `StridedMatrix` (a transpose swaps the strides), so the kernels never branch
/// on transposition flags.
struct StridedMatrix: @unchecked Sendable {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let columnStride: Int

    /// A row-major matrix with leading dimension `ld`, transposed or not.
    init(_ base: UnsafePointer<Float>, ld: Int, transposed: Bool) {
        self.base = base
        rowStride = transposed ? 1 : ld
        columnStride = transposed ? ld : 1
    }

    init(base: UnsafePointer<Float>, rowStride: Int, columnStride: Int) {
        self.base = base
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    @inline(__always)
    subscript(i: Int, j: Int) -> Float { base[i &* rowStride &+ j &* columnStride] }

    /// Address of element [i, j].
    @inline(__always)
    func pointer(_ i: Int, _ j: Int) -> UnsafePointer<Float> { base + (i &* rowStride &+ j &* columnStride) }
}

/// A C matrix being written: row-major with row stride `ld`.
struct OutputMatrix: @unchecked Sendable {
    let base: UnsafeMutablePointer<Float>
    let ld: Int
}

/// Where the driver gets A from. op(A) is m × k. An f32 matrix whose rows are contiguous in k is read in
/// place by the micro-kernel (`inPlace`); anything else is packed one block at a time into 6-row
/// micro-panels (`packRows`, the layout `microKernel6x16` reads with step 6). A 16-bit weight
/// (`HalfMatrix`) is always packed: it is converted to f32 there, in the block the kernel reads next,
/// so no f32 copy of the weight ever exists.
protocol GEMMRowSource {
    /// The f32 matrix the micro-kernel reads in place, or nil when A is packed.
    var inPlace: StridedMatrix? { get }
    /// Packs op(A)[i0 ..< i0+mc, k0 ..< k0+kc] into ⌈mc/6⌉ micro-panels [kc][6] at `out`, zero-padded past
    /// row i0 + mc.
    func packRows(into out: UnsafeMutablePointer<Float>, i0: Int, mc: Int, k0: Int, kc: Int)
}

/// A matrix that can be either operand: `GEMMDriver.runMatrix` swaps the roles of A and B for a small-M
/// product (GEMMDriver+SmallM.swift), which needs the transpose of each.
protocol GEMMMatrixOperand: GEMMRowSource, GEMMPanelSource, Sendable {
    var rowStride: Int { get }
    var columnStride: Int { get }
    /// The same elements seen transposed (strides swapped).
    var transposed: Self { get }
}

extension StridedMatrix: GEMMMatrixOperand {
    var inPlace: StridedMatrix? { columnStride == 1 ? self : nil }
    var transposed: StridedMatrix { StridedMatrix(base: base, rowStride: columnStride, columnStride: rowStride) }

    func packRows(into out: UnsafeMutablePointer<Float>, i0: Int, mc: Int, k0: Int, kc: Int) {
        packA(self, into: out, i0: i0, mc: mc, k0: k0, kc: kc)
    }
}

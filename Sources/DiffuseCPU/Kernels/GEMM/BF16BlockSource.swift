import CDiffuseKernels

/// Where the bf16 driver (`BF16Driver`) gets one operand, as blocks of panels in the kernel's layout:
/// lines (A rows or B columns) `j0 ..< j0 + count` and depth (k) `k0 ..< k0 + kc` as ⌈count/width⌉ panels
/// of [⌈kc/2⌉][width][2] bf16 (CDiffuseKernels/bf16_gemm.c), panel q at q · ⌈kc/2⌉ · width · 2, zero-padded.
/// width is 12 (`DIFFUSE_BF16_MR`) for A and 32 (`DIFFUSE_BF16_NR`) for B.
///
/// Sources: a strided bf16 matrix (`BF16StridedSource`), f32 rows rounded while packing (`BF16F32RowsSource`,
/// the Linear activation), f32 B panels of any `GEMMPanelSource` rounded while packing
/// (`BF16ConvertingSource`, the convolution's implicit im2col), and a matrix packed once
/// (`BF16PackedMatrix`, weights; blocks are then pointers into it and nothing is packed per call).
protocol BF16BlockSource {
    /// Lines per panel: 12 for A, 32 for B.
    var width: Int { get }
    /// For a pre-packed operand, the depth of its k blocks (the driver must use the same); nil otherwise.
    var packedDepthBlock: Int? { get }
    /// The block at (k0, j0), packed into `scratch` (room for ⌈count/width⌉ · ⌈kc/2⌉ · width · 2 values)
    /// or pointing into a pre-packed operand.
    func block(k0: Int, kc: Int, j0: Int, count: Int, scratch: UnsafeMutablePointer<UInt16>) -> UnsafePointer<UInt16>
}

extension BF16BlockSource {
    var packedDepthBlock: Int? { nil }
}

/// A bf16 matrix through strides: line l, depth p at base[l · lineStride + p · depthStride].
/// As A (width 12): line = row i of op(A); as B (width 32): line = column j of op(B).
struct BF16StridedSource: BF16BlockSource, @unchecked Sendable {
    let base: UnsafePointer<UInt16>
    let lineStride: Int
    let depthStride: Int
    let width: Int

    func block(k0: Int, kc: Int, j0: Int, count: Int, scratch: UnsafeMutablePointer<UInt16>) -> UnsafePointer<UInt16> {
        let start = base + j0 * lineStride + k0 * depthStride
        if width == Int(DIFFUSE_BF16_MR) {
            diffuse_bf16_pack_a(start, lineStride, depthStride, Int32(count), Int32(kc), scratch)
        } else {
            diffuse_bf16_pack_b(start, depthStride, lineStride, Int32(kc), Int32(count), scratch)
        }
        return UnsafePointer(scratch)
    }
}

/// A as f32 rows, k-contiguous (row i at base + i · rowStride), rounded to bf16 (nearest even) while packed:
/// the activation of a bf16 Linear layer, with no separate bf16 copy.
struct BF16F32RowsSource: BF16BlockSource, @unchecked Sendable {
    let base: UnsafePointer<Float>
    let rowStride: Int
    var width: Int { Int(DIFFUSE_BF16_MR) }

    func block(k0: Int, kc: Int, j0: Int, count: Int, scratch: UnsafeMutablePointer<UInt16>) -> UnsafePointer<UInt16> {
        diffuse_bf16_pack_a_f32(base + j0 * rowStride + k0, rowStride, Int32(count), Int32(kc), scratch)
        return UnsafePointer(scratch)
    }
}

/// B from an f32 `GEMMPanelSource` (16-column f32 panels), rounded to bf16 while packed: each 32-column
/// bf16 panel is built from two f32 panels gathered into a small buffer (kc × 32 floats, in L1/L2).
/// The convolution's implicit im2col (`Im2colPanelSource`) and 1×1 input (`StridedMatrix`) come this way.
struct BF16ConvertingSource<Source: GEMMPanelSource>: BF16BlockSource {
    let source: Source
    var width: Int { Int(DIFFUSE_BF16_NR) }

    func block(k0: Int, kc: Int, j0: Int, count: Int, scratch: UnsafeMutablePointer<UInt16>) -> UnsafePointer<UInt16> {
        let nr = Int(DIFFUSE_BF16_NR), panelSize = (kc + 1) / 2 * nr * 2
        let f32 = allocatePacking(Float.self, count: kc * nr)
        defer { freePacking(f32) }
        var out = scratch
        for j in stride(from: j0, to: j0 + count, by: nr) {
            let columns = min(nr, j0 + count - j)
            source.packPanels(into: f32, k0: k0, kc: kc, j0: j, nc: columns)
            diffuse_bf16_pack_b_f32_panels(f32, columns > 16 ? UnsafePointer(f32 + kc * 16) : nil, Int32(kc), out)
            out += panelSize
        }
        return UnsafePointer(scratch)
    }
}

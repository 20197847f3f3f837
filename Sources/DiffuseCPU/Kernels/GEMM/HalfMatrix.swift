/// A read-only matrix of 16-bit floats — an f16 or bf16 weight kept in its stored precision — seen through
/// strides like `StridedMatrix`. The f32 GEMM reads it as either operand: its elements are converted to f32
/// while they are packed into the block the micro-kernel reads next (`packRows` for A, `packPanels` for B),
/// the packing an f32 operand gets too (B always; A when not read in place). The weight is therefore
/// never widened as a whole: per call the conversion costs one pass over the weight, inside the packing
/// (see `Precision` in DiffusePipeline for the policy that keeps weights 16-bit).
///
/// Conversions: f16 → f32 by `vcvtph2ps` (F16C; the kernels are built for Haswell), bf16 → f32 by a
/// 16-bit shift. Both are exact.
struct HalfMatrix: GEMMMatrixOperand, @unchecked Sendable {
    enum Format: Sendable { case f16, bf16 }

    let base: UnsafePointer<UInt16>
    let rowStride: Int
    let columnStride: Int
    let format: Format

    init(base: UnsafePointer<UInt16>, rowStride: Int, columnStride: Int, format: Format) {
        self.base = base
        self.rowStride = rowStride
        self.columnStride = columnStride
        self.format = format
    }

    var transposed: HalfMatrix {
        HalfMatrix(base: base, rowStride: columnStride, columnStride: rowStride, format: format)
    }

    var inPlace: StridedMatrix? { nil }

    @inline(__always)
    func pointer(_ i: Int, _ j: Int) -> UnsafePointer<UInt16> { base + (i &* rowStride &+ j &* columnStride) }

    @inline(__always)
    subscript(i: Int, j: Int) -> Float { Self.float(pointer(i, j).pointee, format) }

    /// One element as f32.
    @inline(__always)
    static func float(_ bits: UInt16, _ format: Format) -> Float {
        switch format {
        case .f16: Float(Float16(bitPattern: bits))
        case .bf16: Float(bitPattern: UInt32(bits) &<< 16)
        }
    }

    /// Eight consecutive elements at `p` as f32.
    @inline(__always)
    static func floats8(_ p: UnsafePointer<UInt16>, _ format: Format) -> SIMD8<Float> {
        let raw = UnsafeRawPointer(p)
        switch format {
        case .f16: return SIMD8<Float>(raw.loadUnaligned(as: SIMD8<Float16>.self))
        case .bf16:
            let wide = SIMD8<UInt32>(truncatingIfNeeded: raw.loadUnaligned(as: SIMD8<UInt16>.self)) &<< 16
            return unsafeBitCast(wide, to: SIMD8<Float>.self)
        }
    }

    /// dst[p · stride] = f32(src[p]) for p < count, src contiguous: 8 elements converted at a time and
    /// written down a packed panel (a column of B panels: stride 16; a row of A micro-panels: stride 6).
    @inline(__always)
    static func convert(_ src: UnsafePointer<UInt16>, count: Int, into dst: UnsafeMutablePointer<Float>,
                        stride: Int, _ format: Format) {
        var p = 0
        while p + 8 <= count {
            let v = floats8(src + p, format)
            for e in 0..<8 { dst[(p + e) * stride] = v[e] }
            p += 8
        }
        while p < count { dst[p * stride] = float(src[p], format); p += 1 }
    }
}

extension HalfMatrix {
    /// Packs op(B) = self (k × n) into 16-column f32 panels (`GEMMPanelSource`).
    func packPanels(into out: UnsafeMutablePointer<Float>, k0: Int, kc: Int, j0: Int, nc: Int) {
        var panel = out
        var j = j0
        while j < j0 + nc {
            let width = min(16, j0 + nc - j)
            if columnStride == 1 && width == 16 {
                // Rows of 16 contiguous elements: two 8-wide conversions per row.
                for p in 0..<kc {
                    let src = pointer(k0 + p, j)
                    let dst = UnsafeMutableRawPointer(panel + p * 16)
                    dst.storeBytes(of: Self.floats8(src, format), as: SIMD8<Float>.self)
                    dst.storeBytes(of: Self.floats8(src + 8, format), toByteOffset: 32, as: SIMD8<Float>.self)
                }
            } else if rowStride == 1 {
                // Transposed B (a Linear weight W[n, k] read as Wᵀ): each column is contiguous in k;
                // convert 8 of its elements at a time and write them down the panel.
                for jj in 0..<16 {
                    if jj < width {
                        Self.convert(pointer(k0, j + jj), count: kc, into: panel + jj, stride: 16, format)
                    } else {
                        for p in 0..<kc { panel[p * 16 + jj] = 0 }
                    }
                }
            } else {
                for p in 0..<kc {
                    for jj in 0..<16 { panel[p * 16 + jj] = jj < width ? self[k0 + p, j + jj] : 0 }
                }
            }
            panel += kc * 16
            j += 16
        }
    }

    /// Packs op(A) = self (m × k) into 6-row f32 micro-panels (`GEMMRowSource`).
    func packRows(into out: UnsafeMutablePointer<Float>, i0: Int, mc: Int, k0: Int, kc: Int) {
        var panel = out
        var i = i0
        while i < i0 + mc {
            let height = min(6, i0 + mc - i)
            if columnStride == 1 {
                // Rows contiguous in k (a convolution weight, or a Linear weight in a small-M product):
                // convert 8 elements of each row at a time and interleave them into the panel.
                for r in 0..<6 {
                    if r < height {
                        Self.convert(pointer(i + r, k0), count: kc, into: panel + r, stride: 6, format)
                    } else {
                        for p in 0..<kc { panel[p * 6 + r] = 0 }
                    }
                }
            } else {
                for r in 0..<6 {
                    for p in 0..<kc { panel[p * 6 + r] = r < height ? self[i + r, k0 + p] : 0 }
                }
            }
            panel += kc * 6
            i += 6
        }
    }
}

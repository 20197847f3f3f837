/// Where the driver gets B from. op(B) is k × n; the driver asks for blocks of it packed into panels of
/// `GEMMBlocking.nr` (16) columns: panel q of a block holds columns j0 + 16q ..< j0 + 16q + 16 as [kc][16]
/// (row p = 16 consecutive floats), zero-padded past the last column. A plain matrix is one source; the
/// convolution's implicit im2col (`Im2colPanelSource`) is another, gathering straight from the image.
protocol GEMMPanelSource {
    /// Packs op(B)[k0 ..< k0+kc, j0 ..< j0+nc] into ⌈nc/16⌉ panels at `out` (panel q at out + q·kc·16).
    /// `j0` may be any column.
    func packPanels(into out: UnsafeMutablePointer<Float>, k0: Int, kc: Int, j0: Int, nc: Int)
}

extension StridedMatrix: GEMMPanelSource {
    /// Packs op(B) = self (k × n) into 16-column panels.
    func packPanels(into out: UnsafeMutablePointer<Float>, k0: Int, kc: Int, j0: Int, nc: Int) {
        var panel = out
        var j = j0
        while j < j0 + nc {
            let width = min(16, j0 + nc - j)
            if columnStride == 1 && width == 16 {
                // Rows of 16 contiguous floats: two vector copies per row.
                for p in 0..<kc {
                    let src = UnsafeRawPointer(pointer(k0 + p, j))
                    let dst = UnsafeMutableRawPointer(panel + p * 16)
                    dst.storeBytes(of: src.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    dst.storeBytes(of: src.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self),
                                   toByteOffset: 32, as: SIMD8<Float>.self)
                }
            } else if rowStride == 1 {
                // Transposed B: each column is contiguous in k; read columns, write strided.
                for jj in 0..<16 {
                    if jj < width {
                        let src = pointer(k0, j + jj)
                        for p in 0..<kc { panel[p * 16 + jj] = src[p] }
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
}

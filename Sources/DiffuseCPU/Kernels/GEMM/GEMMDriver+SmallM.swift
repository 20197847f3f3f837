/// Few rows of A against a k-contiguous B: the Linear layers' `x · Wᵀ` with few tokens (the time embedding's
/// M = 1, cross-attention's M = 77, the UNet's inner levels at small images: M = 16 … 64).
///
/// Shapes: C[m, n] = alpha · A[m, k] · B[k, n] + beta · C, where B's columns are contiguous in k (a weight
/// W[n, k] read as Wᵀ). The plain driver packs all of B (k · n floats gathered with a transpose) to use each
/// element m times; for small m the packing costs as much as the products (measured in the SD 1.5 UNet at
/// 256², busy machine: M 1 × 1280 × 1280 ran at 0.5 GFLOP/s, M 16 at ≈ 15, M 64 at ≈ 40 against ≈ 60 for
/// M ≥ 256). Here the product is computed transposed instead, Cᵀ[n, m] = W[n, k] · Aᵀ[k, m]: W becomes the
/// driver's A, read in place (no packing), and only the small Aᵀ (k · m floats) is packed. Cᵀ goes to a
/// scratch buffer and is added into C transposed (m · n floats, cheap against m · n · k products).
extension GEMMDriver {
    /// Largest m that takes the transposed product (192: batch 2 of the 64-token level, M 128, and of
    /// cross-attention's K/V, M 154, ran at ≈ 45 GFLOP/s the plain way against ≈ 60 for M ≥ 1024).
    nonisolated(unsafe) static var smallMMaxRows = 192
    /// It also needs n ≥ this · m: the transposed product packs Aᵀ (k · m) once per rectangle, about
    /// 2 · threads of them, where the plain one packs B (k · n) once in all.
    static let smallMMinWidthRatio = 4

    /// Whether `runMatrix` computes this problem transposed.
    static func usesTransposedSmallM<B: GEMMMatrixOperand>(m: Int, n: Int, k: Int, b: B) -> Bool {
        m >= 1 && m <= smallMMaxRows && n >= smallMMinWidthRatio * m && k >= 16 && b.rowStride == 1 && b.columnStride != 1
    }

    /// `run` for a plain-matrix B, taking the transposed product for a small m against a k-contiguous B.
    /// Either operand may be f32 (`StridedMatrix`) or a 16-bit weight (`HalfMatrix`).
    static func runMatrix<A: GEMMMatrixOperand, B: GEMMMatrixOperand>(m: Int, n: Int, k: Int, alpha: Float, a: A,
                                                                      b: B, beta: Float, c: OutputMatrix,
                                                                      threads: Int) {
        guard usesTransposedSmallM(m: m, n: n, k: k, b: b), alpha != 0 else {
            run(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, threads: threads)
            return
        }
        // W[n, k] = op(B)ᵀ, k-contiguous; Aᵀ[k, m] = op(A)ᵀ; scratch Cᵀ[n, m].
        let w = b.transposed, aT = a.transposed
        let scratch = allocatePacking(Float.self, count: n * m)
        defer { freePacking(scratch) }
        run(m: n, n: m, k: k, alpha: alpha, a: w, b: aT, beta: 0, c: OutputMatrix(base: scratch, ld: m),
            threads: threads)
        // C[i, j] = Cᵀ[j, i] + beta · C[i, j] (beta = 0 never reads C).
        for i in 0..<m {
            let row = c.base + i * c.ld
            if beta == 0 {
                for j in 0..<n { row[j] = scratch[j * m + i] }
            } else {
                for j in 0..<n { row[j] = scratch[j * m + i] + beta * row[j] }
            }
        }
    }
}

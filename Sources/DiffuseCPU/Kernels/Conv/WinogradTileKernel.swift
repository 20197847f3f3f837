/// The tile transforms of one Winograd variant written out as straight-line vector code, 8 tiles per
/// `SIMD8<Float>` lane set. The 1-D transforms are applied down the columns, then along the rows, of an
/// α × α (or m × α) array of vectors stored row-major.
///
/// Why not multiply by `WinogradVariant`'s matrices: with α a run-time value the loops, the zero tests
/// and the index arithmetic cost more than the GEMMs they feed at 128–320 channels (measured: the input
/// transform of a 128-channel 512² convolution took 0.4 s against 0.5 s for its GEMMs).
protocol WinogradTileKernel {
    /// Output tile side; α = m + 2.
    static var m: Int { get }
    /// y = Bᵀ x in place on α vectors p[0], p[s], …
    static func inputTransform1D(_ p: UnsafeMutablePointer<SIMD8<Float>>, _ s: Int)
    /// y = G x: 3 vectors p[0], p[s], p[2s] → α vectors q[0], q[t], …
    static func weightTransform1D(_ p: UnsafePointer<SIMD8<Float>>, _ s: Int, _ q: UnsafeMutablePointer<SIMD8<Float>>, _ t: Int)
    /// y = Aᵀ x: α vectors p[0], p[s], … → m vectors q[0], q[t], …
    static func outputTransform1D(_ p: UnsafePointer<SIMD8<Float>>, _ s: Int, _ q: UnsafeMutablePointer<SIMD8<Float>>, _ t: Int)
}

extension WinogradTileKernel {
    static var alpha: Int { m + 2 }

    /// d ← Bᵀ d B on the α × α array d.
    @inline(__always)
    static func inputTransform(_ d: UnsafeMutablePointer<SIMD8<Float>>) {
        for c in 0..<alpha { inputTransform1D(d + c, alpha) }
        for r in 0..<alpha { inputTransform1D(d + r * alpha, 1) }
    }

    /// u = G w Gᵀ (α × α) from the 3 × 3 array w, through tmp (α × 3).
    @inline(__always)
    static func weightTransform(_ w: UnsafePointer<SIMD8<Float>>, tmp: UnsafeMutablePointer<SIMD8<Float>>,
                                u: UnsafeMutablePointer<SIMD8<Float>>) {
        for c in 0..<3 { weightTransform1D(w + c, 3, tmp + c, 3) }
        for i in 0..<alpha { weightTransform1D(tmp + i * 3, 1, u + i * alpha, 1) }
    }

    /// y = Aᵀ M A (m × m) from the α × α array mm, through tmp (m × α).
    @inline(__always)
    static func outputTransform(_ mm: UnsafePointer<SIMD8<Float>>, tmp: UnsafeMutablePointer<SIMD8<Float>>,
                                y: UnsafeMutablePointer<SIMD8<Float>>) {
        for j in 0..<alpha { outputTransform1D(mm + j, alpha, tmp + j, alpha) }
        for k in 0..<m { outputTransform1D(tmp + k * alpha, 1, y + k * m, 1) }
    }
}

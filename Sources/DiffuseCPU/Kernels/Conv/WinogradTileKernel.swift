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

/// F(2×2, 3×3) (`WinogradVariant.f2`).
enum WinogradF2Kernel: WinogradTileKernel {
    static var m: Int { 2 }

    @inline(__always)
    static func inputTransform1D(_ p: UnsafeMutablePointer<SIMD8<Float>>, _ s: Int) {
        let x0 = p[0], x1 = p[s], x2 = p[2 * s], x3 = p[3 * s]
        p[0] = x0 - x2
        p[s] = x1 + x2
        p[2 * s] = x2 - x1
        p[3 * s] = x1 - x3
    }

    @inline(__always)
    static func weightTransform1D(_ p: UnsafePointer<SIMD8<Float>>, _ s: Int, _ q: UnsafeMutablePointer<SIMD8<Float>>, _ t: Int) {
        let half = SIMD8<Float>(repeating: 0.5)
        let x0 = p[0], x1 = p[s], x2 = p[2 * s], even = x0 + x2
        q[0] = x0
        q[t] = half * (even + x1)
        q[2 * t] = half * (even - x1)
        q[3 * t] = x2
    }

    @inline(__always)
    static func outputTransform1D(_ p: UnsafePointer<SIMD8<Float>>, _ s: Int, _ q: UnsafeMutablePointer<SIMD8<Float>>, _ t: Int) {
        let x1 = p[s], x2 = p[2 * s]
        q[0] = p[0] + x1 + x2
        q[t] = x1 - x2 - p[3 * s]
    }
}

/// F(4×4, 3×3) (`WinogradVariant.f4`).
enum WinogradF4Kernel: WinogradTileKernel {
    static var m: Int { 4 }

    @inline(__always)
    static func inputTransform1D(_ p: UnsafeMutablePointer<SIMD8<Float>>, _ s: Int) {
        typealias V = SIMD8<Float>
        let x0 = p[0], x1 = p[s], x2 = p[2 * s], x3 = p[3 * s], x4 = p[4 * s], x5 = p[5 * s]
        let four = V(repeating: 4), five = V(repeating: 5), two = V(repeating: 2)
        let a = x4 - x2, b = x3 - x1               // shared terms
        p[0] = (x4 - five * x2).addingProduct(four, x0)
        p[s] = (x3 + x4) - four * (x1 + x2)
        p[2 * s] = (x4 - x3) + four * (x1 - x2)
        p[3 * s] = a.addingProduct(two, b)
        p[4 * s] = a - two * b
        p[5 * s] = (x5 - five * x3).addingProduct(four, x1)
    }

    @inline(__always)
    static func weightTransform1D(_ p: UnsafePointer<SIMD8<Float>>, _ s: Int, _ q: UnsafeMutablePointer<SIMD8<Float>>, _ t: Int) {
        typealias V = SIMD8<Float>
        let x0 = p[0], x1 = p[s], x2 = p[2 * s]
        let even = x0 + x2, quarter = V(repeating: 0.25), sixth = V(repeating: 1.0 / 6)
        let a = x0 * V(repeating: 1.0 / 24) + x2 * sixth, b = x1 * V(repeating: 1.0 / 12)
        q[0] = quarter * x0
        q[t] = -sixth * (even + x1)
        q[2 * t] = -sixth * (even - x1)
        q[3 * t] = a + b
        q[4 * t] = a - b
        q[5 * t] = x2
    }

    @inline(__always)
    static func outputTransform1D(_ p: UnsafePointer<SIMD8<Float>>, _ s: Int, _ q: UnsafeMutablePointer<SIMD8<Float>>, _ t: Int) {
        typealias V = SIMD8<Float>
        let x1 = p[s], x2 = p[2 * s], x3 = p[3 * s], x4 = p[4 * s]
        let sum12 = x1 + x2, dif12 = x1 - x2, sum34 = x3 + x4, dif34 = x3 - x4
        q[0] = p[0] + sum12 + sum34
        q[t] = dif12.addingProduct(V(repeating: 2), dif34)
        q[2 * t] = sum12.addingProduct(V(repeating: 4), sum34)
        q[3 * t] = dif12.addingProduct(V(repeating: 8), dif34) + p[5 * s]
    }
}

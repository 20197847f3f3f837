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

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

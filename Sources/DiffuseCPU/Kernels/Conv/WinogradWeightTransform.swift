/// The filter transform of a Winograd convolution: U = G g Gᵀ for every (output, input) channel pair.
///
/// Shapes: weight [Cout, Cin, 3, 3] contiguous f32 → u holds α² matrices U_ξ [Cout, Cin] (ξ = i·α + j at
/// u + ξ·Cout·Cin), row-major: the A operands of the α² GEMMs, read in place by the GEMM driver.
/// Eight input channels at a time on 8-lane vectors; output-channel ranges in parallel.
enum WinogradWeightTransform {
    static func run(_ variant: WinogradVariant, weight: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                    u: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(outChannels, grain: 8, oversubscribe: 2) { range in
            run(variant, weight: weight, outChannels: outChannels, inChannels: inChannels, rows: range, u: u)
        }
    }

    /// U for output channels `rows` only.
    static func run(_ variant: WinogradVariant, weight: UnsafePointer<Float>, outChannels: Int, inChannels: Int,
                    rows: Range<Int>, u: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let a = variant.alpha, matrix = outChannels * inChannels
        variant.g.withUnsafeBufferPointer { g in
        withUnsafeTemporaryAllocation(of: V8.self, capacity: 9 + 3 * a + a * a) { scratch in
            let w = scratch.baseAddress!, gw = w + 9, uu = gw + 3 * a
            for co in rows {
                var ci = 0
                while ci < inChannels {
                    let lanes = min(8, inChannels - ci)
                    // w[k], lane e = weight[co, ci + e, k / 3, k % 3].
                    let src = weight + (co * inChannels + ci) * 9
                    for k in 0..<9 {
                        var v = V8()
                        for e in 0..<lanes { v[e] = src[9 * e + k] }
                        w[k] = v
                    }
                    // gw = G w (α × 3), then U = gw Gᵀ (α × α).
                    for i in 0..<a {
                        for c in 0..<3 {
                            var s = V8()
                            for r in 0..<3 where g[i * 3 + r] != 0 { s = s.addingProduct(V8(repeating: g[i * 3 + r]), w[r * 3 + c]) }
                            gw[i * 3 + c] = s
                        }
                    }
                    for i in 0..<a {
                        for j in 0..<a {
                            var s = V8()
                            for c in 0..<3 where g[j * 3 + c] != 0 { s = s.addingProduct(V8(repeating: g[j * 3 + c]), gw[i * 3 + c]) }
                            uu[i * a + j] = s
                        }
                    }
                    let base = u + co * inChannels + ci
                    for xi in 0..<(a * a) {
                        let dst = base + xi * matrix
                        if lanes == 8 {
                            UnsafeMutableRawPointer(dst).storeBytes(of: uu[xi], as: V8.self)
                        } else {
                            for e in 0..<lanes { dst[e] = uu[xi][e] }
                        }
                    }
                    ci += 8
                }
            }
        }
        }
    }
}

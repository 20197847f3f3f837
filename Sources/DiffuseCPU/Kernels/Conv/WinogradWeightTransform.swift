import DiffuseCore

/// The filter transform of a Winograd convolution: U = G g Gᵀ for every (output, input) channel pair.
///
/// Shapes: weight [Cout, Cin, 3, 3] contiguous, as the GEMM operand [Cout, Cin·9] (f32, or f16 / bf16 converted
/// as it is read: the transform reads every element once anyway) → u holds α² matrices U_ξ [Cout, Cin] (ξ = i·α + j at
/// u + ξ·Cout·Cin), row-major: the A operands of the α² GEMMs, read in place by the GEMM driver.
/// Eight input channels at a time on 8-lane vectors (`WinogradTileKernel`); output-channel ranges in parallel.
enum WinogradWeightTransform {
    static func run(_ variant: WinogradVariant, weight: GEMMOperand, outChannels: Int, inChannels: Int,
                    u: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(outChannels, grain: 8, oversubscribe: 2) { range in
            switch variant.m {
            case 2: run(WinogradF2Kernel.self, weight: weight, outChannels: outChannels, inChannels: inChannels, rows: range, u: u)
            case 4: run(WinogradF4Kernel.self, weight: weight, outChannels: outChannels, inChannels: inChannels, rows: range, u: u)
            default: require(false, "WinogradWeightTransform: no kernel for F(\(variant.m)×\(variant.m), 3×3)")
            }
        }
    }

    /// U for output channels `rows` only.
    static func run<K: WinogradTileKernel>(_ kernel: K.Type, weight: GEMMOperand, outChannels: Int,
                                           inChannels: Int, rows: Range<Int>, u: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let a = K.alpha, matrix = outChannels * inChannels
        withUnsafeTemporaryAllocation(of: V8.self, capacity: 9 + 3 * a + a * a) { scratch in
            let w = scratch.baseAddress!, tmp = w + 9, uu = tmp + 3 * a
            for co in rows {
                var ci = 0
                while ci < inChannels {
                    let lanes = min(8, inChannels - ci)
                    // w[k], lane e = weight[co, ci + e, k / 3, k % 3].
                    let column = ci * 9
                    for k in 0..<9 {
                        var v = V8()
                        for e in 0..<lanes { v[e] = weight[co, column + 9 * e + k] }
                        w[k] = v
                    }
                    K.weightTransform(w, tmp: tmp, u: uu)
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

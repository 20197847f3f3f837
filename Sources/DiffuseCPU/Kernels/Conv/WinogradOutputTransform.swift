import DiffuseCore

/// The output transform of a Winograd convolution: Y = Aᵀ M A (+ bias) for every tile of a block and
/// every output channel in a range, scattered into the NCHW output (clipped at odd sizes).
///
/// Shapes: mm holds α² matrices M_ξ [Cout, ld] (ξ = i·α + j at mm + ξ·Cout·ld, column t − block.lowerBound);
/// bias [Cout] or nil; out [N, Cout, H, W] contiguous f32. Reads whole 8-lane vectors, so up to 7 floats
/// past the block's last tile in each row (ld must leave room; their values are not used).
enum WinogradOutputTransform {
    static func run(_ variant: WinogradVariant, tiling: WinogradTiling, mm: UnsafePointer<Float>, outChannels: Int,
                    block: Range<Int>, channels: Range<Int>, ld: Int, bias: UnsafePointer<Float>?,
                    out: UnsafeMutablePointer<Float>) {
        switch variant.m {
        case 2: run(WinogradF2Kernel.self, tiling: tiling, mm: mm, outChannels: outChannels, block: block,
                    channels: channels, ld: ld, bias: bias, out: out)
        case 4: run(WinogradF4Kernel.self, tiling: tiling, mm: mm, outChannels: outChannels, block: block,
                    channels: channels, ld: ld, bias: bias, out: out)
        default: require(false, "WinogradOutputTransform: no kernel for F(\(variant.m)×\(variant.m), 3×3)")
        }
    }

    static func run<K: WinogradTileKernel>(_ kernel: K.Type, tiling: WinogradTiling, mm: UnsafePointer<Float>,
                                           outChannels: Int, block: Range<Int>, channels: Range<Int>, ld: Int,
                                           bias: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>) {
        typealias V8 = SIMD8<Float>
        let m = K.m, a = K.alpha, area = a * a
        let height = tiling.height, width = tiling.width, plane = height * width
        withUnsafeTemporaryAllocation(of: V8.self, capacity: area + m * a + m * m) { scratch in
            let md = scratch.baseAddress!, tmp = md + area, y = tmp + m * a
            for co in channels {
                let b = V8(repeating: bias?[co] ?? 0)
                tiling.forEachRow(in: block) { image, ty, columns, first in
                    let channel = out + (image * outChannels + co) * plane
                    var tx = 0
                    while tx < columns.count {
                        let column = first - block.lowerBound + tx
                        for xi in 0..<area {
                            md[xi] = UnsafeRawPointer(mm + (xi * outChannels + co) * ld + column).loadUnaligned(as: V8.self)
                        }
                        K.outputTransform(md, tmp: tmp, y: y)
                        for xi in 0..<(m * m) { y[xi] += b }
                        // Scatter: lane e is tile columns.lowerBound + tx + e.
                        let lanes = min(8, columns.count - tx)
                        let ox0 = m * (columns.lowerBound + tx)
                        let full = ox0 + m * lanes <= width
                        for k in 0..<m {
                            let oy = m * ty + k
                            if oy >= height { break }
                            let row = channel + oy * width + ox0
                            if full {
                                for e in 0..<lanes { for l in 0..<m { row[m * e + l] = y[k * m + l][e] } }
                            } else {
                                for e in 0..<lanes {
                                    for l in 0..<m where ox0 + m * e + l < width { row[m * e + l] = y[k * m + l][e] }
                                }
                            }
                        }
                        tx += 8
                    }
                }
            }
        }
    }
}

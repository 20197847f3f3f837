import DiffuseCore

/// The input transform of a Winograd convolution: V = Bᵀ d B for every α × α input tile d of a block of
/// tiles, every input channel in a range.
///
/// Shapes: x [N, Cin, H, W] contiguous f32 (padding 1 is read as zeros); v holds α² matrices
/// V_ξ [Cin, ld] (ξ = i·α + j at v + ξ·Cin·ld): V_ξ[ci, t − block.lowerBound] for t in `block`.
/// Writes whole 8-lane vectors, so up to 7 floats past the block's last tile in each row (ld must leave room).
///
/// Per channel and tile row, the α input rows a tile row reads are split by column phase into zero-padded
/// buffers: phase p of row r holds columns m·k + p − 1 (k = tile column), so column c of the tiles
/// tx … tx + 7 is one contiguous 8-float load (phase c mod m, from k = tx + c / m). The padding and odd sizes
/// need no branches after that, and the transform runs on 8-lane vectors (8 tiles, `WinogradTileKernel`).
enum WinogradInputTransform {
    static func run(_ variant: WinogradVariant, tiling: WinogradTiling, x: UnsafePointer<Float>, inChannels: Int,
                    block: Range<Int>, channels: Range<Int>, v: UnsafeMutablePointer<Float>, ld: Int) {
        switch variant.m {
        case 2: run(WinogradF2Kernel.self, tiling: tiling, x: x, inChannels: inChannels, block: block, channels: channels, v: v, ld: ld)
        case 4: run(WinogradF4Kernel.self, tiling: tiling, x: x, inChannels: inChannels, block: block, channels: channels, v: v, ld: ld)
        default: require(false, "WinogradInputTransform: no kernel for F(\(variant.m)×\(variant.m), 3×3)")
        }
    }

    static func run<K: WinogradTileKernel>(_ kernel: K.Type, tiling: WinogradTiling, x: UnsafePointer<Float>,
                                           inChannels: Int, block: Range<Int>, channels: Range<Int>,
                                           v: UnsafeMutablePointer<Float>, ld: Int) {
        typealias V8 = SIMD8<Float>
        let m = K.m, a = K.alpha, area = a * a
        let height = tiling.height, width = tiling.width, plane = height * width
        // Tile columns of a phase buffer: a tile row, the 7 an 8-lane load reads past it, and c / m ≤ 1.
        let phaseLength = tiling.tilesX + 8
        withUnsafeTemporaryAllocation(of: Float.self, capacity: a * m * phaseLength) { buffer in
        withUnsafeTemporaryAllocation(of: V8.self, capacity: area) { scratch in
            let phases = buffer.baseAddress!
            let d = scratch.baseAddress!
            for ci in channels {
                tiling.forEachRow(in: block) { image, ty, columns, first in
                    let channel = x + (image * inChannels + ci) * plane
                    // phases[r][p][k] = x[m·ty − 1 + r][m·(columns.lowerBound + k) + p − 1], zero outside.
                    let count = columns.count + 8
                    let x0 = m * columns.lowerBound - 1
                    for r in 0..<a {
                        let iy = m * ty - 1 + r
                        let rowPhases = phases + r * m * phaseLength
                        if iy < 0 || iy >= height {
                            for p in 0..<m { (rowPhases + p * phaseLength).update(repeating: 0, count: count) }
                            continue
                        }
                        let src = channel + iy * width
                        for p in 0..<m {
                            let dst = rowPhases + p * phaseLength
                            for k in 0..<count {
                                let ix = x0 + m * k + p
                                dst[k] = ix >= 0 && ix < width ? src[ix] : 0
                            }
                        }
                    }
                    var tx = 0
                    while tx < columns.count {
                        // d[r][c], lane e = tile tx + e.
                        for r in 0..<a {
                            for c in 0..<a {
                                let src = phases + (r * m + c % m) * phaseLength + tx + c / m
                                d[r * a + c] = UnsafeRawPointer(src).loadUnaligned(as: V8.self)
                            }
                        }
                        K.inputTransform(d)
                        let column = first - block.lowerBound + tx
                        for xi in 0..<area {
                            let dst = v + (xi * inChannels + ci) * ld + column
                            UnsafeMutableRawPointer(dst).storeBytes(of: d[xi], as: V8.self)
                        }
                        tx += 8
                    }
                }
            }
        }
        }
    }
}

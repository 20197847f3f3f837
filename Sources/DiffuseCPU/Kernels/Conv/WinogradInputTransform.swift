/// The input transform of a Winograd convolution: V = Bᵀ d B for every α × α input tile d of a block of
/// tiles, every input channel in a range.
///
/// Shapes: x [N, Cin, H, W] contiguous f32 (padding 1 is read as zeros); v holds α² matrices
/// V_ξ [Cin, ld] (ξ = i·α + j at v + ξ·Cin·ld): V_ξ[ci, t − block.lowerBound] for t in `block`.
/// Writes whole 8-lane vectors, so up to 7 floats past the block's last tile in each row (ld must leave room).
///
/// Per channel and tile row, the α input rows a tile row reads are copied into zero-padded row buffers
/// (the padding and odd sizes then need no branches); 8 tiles at a time, d is gathered from them with
/// stride m (8 lanes = 8 tiles), and the two small matrix products run on 8-lane vectors.
enum WinogradInputTransform {
    static func run(_ variant: WinogradVariant, tiling: WinogradTiling, x: UnsafePointer<Float>, inChannels: Int,
                    block: Range<Int>, channels: Range<Int>, v: UnsafeMutablePointer<Float>, ld: Int) {
        typealias V8 = SIMD8<Float>
        let m = variant.m, a = variant.alpha, area = a * a
        let height = tiling.height, width = tiling.width, plane = height * width
        // A padded row covers the widest tile row plus the 7 tiles a last 8-lane gather reads past it.
        let rowLength = m * (tiling.tilesX + 7) + a
        variant.bT.withUnsafeBufferPointer { bT in
        withUnsafeTemporaryAllocation(of: Float.self, capacity: a * rowLength) { rows in
        withUnsafeTemporaryAllocation(of: V8.self, capacity: 2 * area) { scratch in
            let d = scratch.baseAddress!, tmp = d + area
            for ci in channels {
                tiling.forEachRow(in: block) { image, ty, columns, first in
                    let channel = x + (image * inChannels + ci) * plane
                    // rows[r][j] = x[m·ty − 1 + r][m·columns.lowerBound − 1 + j], zero outside the image.
                    let x0 = m * columns.lowerBound - 1
                    let need = m * (columns.count + 7) + a
                    for r in 0..<a {
                        let iy = m * ty - 1 + r
                        let dst = rows.baseAddress! + r * rowLength
                        let lo = max(0, x0), hi = min(width, x0 + need)
                        if iy < 0 || iy >= height || hi <= lo {
                            dst.update(repeating: 0, count: need)
                            continue
                        }
                        dst.update(repeating: 0, count: lo - x0)
                        dst.advanced(by: lo - x0).update(from: channel + iy * width + lo, count: hi - lo)
                        dst.advanced(by: hi - x0).update(repeating: 0, count: need - (hi - x0))
                    }
                    var tx = 0
                    while tx < columns.count {
                        // d[r][c], lane e = tile tx + e.
                        for r in 0..<a {
                            let src = rows.baseAddress! + r * rowLength + m * tx
                            for c in 0..<a {
                                var lanes = V8()
                                for e in 0..<8 { lanes[e] = src[m * e + c] }
                                d[r * a + c] = lanes
                            }
                        }
                        // tmp = Bᵀ d, then V = tmp B (B[c][j] = Bᵀ[j][c]).
                        for i in 0..<a {
                            for c in 0..<a {
                                var s = V8()
                                for r in 0..<a where bT[i * a + r] != 0 {
                                    s = s.addingProduct(V8(repeating: bT[i * a + r]), d[r * a + c])
                                }
                                tmp[i * a + c] = s
                            }
                        }
                        let column = first - block.lowerBound + tx
                        for i in 0..<a {
                            for j in 0..<a {
                                var s = V8()
                                for c in 0..<a where bT[j * a + c] != 0 {
                                    s = s.addingProduct(V8(repeating: bT[j * a + c]), tmp[i * a + c])
                                }
                                let dst = v + ((i * a + j) * inChannels + ci) * ld + column
                                UnsafeMutableRawPointer(dst).storeBytes(of: s, as: V8.self)
                            }
                        }
                        tx += 8
                    }
                }
            }
        }
        }
        }
    }
}

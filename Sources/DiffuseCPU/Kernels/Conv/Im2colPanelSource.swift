/// Implicit im2col: packs B panels of the convolution GEMM straight from the NCHW input, so no
/// Cin·kh·kw × N·Hout·Wout buffer is ever built.
///
/// Shapes: x [images, Cin, H, W] contiguous f32; op(B)[p, j] as in `ConvGeometry` (k = Cin·kh·kw rows,
/// n = images·Hout·Wout columns, `firstImage` offsets the image index of column 0).
/// A 16-column panel is cut into runs that stay in one output row; each run of one kernel row p is a
/// strided read of one input row, copied with its out-of-image ends zero-filled.
struct Im2colPanelSource: GEMMPanelSource, @unchecked Sendable {
    let x: UnsafePointer<Float>
    let geometry: ConvGeometry

    /// One stretch of a panel inside a single output row: panel columns `column ..< column + count`.
    private struct Run {
        var column = 0, count = 0
        /// Offset of the image in x, and the input coordinates read for kernel offset (0, 0).
        var imageOffset = 0, iy = 0, ix = 0
    }

    func packPanels(into out: UnsafeMutablePointer<Float>, k0: Int, kc: Int, j0: Int, nc: Int) {
        let g = geometry
        let plane = g.height * g.width, kernelArea = g.kernelHeight * g.kernelWidth
        withUnsafeTemporaryAllocation(of: Run.self, capacity: 16) { runs in
            var panel = out
            var j = j0
            while j < j0 + nc {
                let width = min(16, j0 + nc - j)
                // Cut the panel's columns into runs that stay within one output row.
                var runCount = 0, column = 0
                while column < width {
                    let pixel = (j + column) % g.outPixels, image = (j + column) / g.outPixels
                    let oy = pixel / g.outWidth, ox = pixel % g.outWidth
                    let count = min(width - column, g.outWidth - ox)
                    runs[runCount] = Run(column: column, count: count, imageOffset: image * g.inChannels * plane,
                                         iy: oy * g.stride - g.padding, ix: ox * g.stride - g.padding)
                    runCount += 1
                    column += count
                }
                if g.stride == 1 && packHalves(into: panel, runs: runs, runCount: runCount, width: width, k0: k0, kc: kc) {
                    panel += kc * 16
                    j += 16
                    continue
                }
                // Rows p of the panel: channel ci, kernel offset (ky, kx).
                var ci = k0 / kernelArea, ky = (k0 % kernelArea) / g.kernelWidth, kx = k0 % g.kernelWidth
                for p in 0..<kc {
                    let dst = panel + p * 16
                    for e in width..<16 { dst[e] = 0 }
                    for r in 0..<runCount {
                        let run = runs[r]
                        copyRun(dst + run.column, count: run.count, channelBase: x + run.imageOffset + ci * plane,
                                iy: run.iy + ky, ix: run.ix + kx)
                    }
                    kx += 1
                    if kx == g.kernelWidth { kx = 0; ky += 1; if ky == g.kernelHeight { ky = 0; ci += 1 } }
                }
                panel += kc * 16
                j += 16
            }
        }
    }

    /// The stride-1 fast path: when every run covers whole 8-column halves of the panel, each half of panel
    /// row p is one contiguous 8-float read of x at (channel base + a per-kernel-offset displacement), with
    /// the lanes that fall outside the image masked to zero. The displacements and masks depend only on the
    /// kernel offset (ky, kx), so they are computed once per panel and every row is 2 loads, 2 ANDs and
    /// 2 stores (the scalar run copy cost ≈ 9 % of a 320-channel 64² convolution). Returns false, packing
    /// nothing, when the panel does not qualify (odd run boundaries, or a masked read that would fall
    /// outside x: the first and last panels of the tensor).
    private func packHalves(into panel: UnsafeMutablePointer<Float>, runs: UnsafeMutableBufferPointer<Run>,
                            runCount: Int, width: Int, k0: Int, kc: Int) -> Bool {
        typealias V = SIMD8<Float>
        typealias M = SIMD8<UInt32>
        let g = geometry
        if width % 8 != 0 { return false }
        for r in 0..<runCount where runs[r].column % 8 != 0 || runs[r].count % 8 != 0 { return false }
        let kernelArea = g.kernelHeight * g.kernelWidth, plane = g.height * g.width
        let total = g.images * g.inChannels * plane
        let firstChannel = k0 / kernelArea, lastChannel = (k0 + kc - 1) / kernelArea
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * kernelArea) { offsets in
            withUnsafeTemporaryAllocation(of: M.self, capacity: 2 * kernelArea) { masks in
                for kk in 0..<kernelArea {
                    let ky = kk / g.kernelWidth, kx = kk % g.kernelWidth
                    for h in 0..<2 {
                        var offset = 0, mask = M(repeating: 0)
                        if 8 * h < width {
                            // The run holding this half (runs are whole halves).
                            var r = 0
                            while runs[r].column + runs[r].count <= 8 * h { r += 1 }
                            let run = runs[r]
                            let iy = run.iy + ky, ix = run.ix + kx + (8 * h - run.column)
                            offset = run.imageOffset + iy * g.width + ix
                            if iy >= 0 && iy < g.height {
                                for e in 0..<8 where ix + e >= 0 && ix + e < g.width { mask[e] = ~0 }
                            }
                            if mask == M(repeating: 0) {
                                offset = run.imageOffset  // read nothing useful from a safe place
                            }
                        } else {
                            offset = offsets[2 * kk]  // past the panel width: zero lanes, safe read
                        }
                        if firstChannel * plane + offset < 0 || lastChannel * plane + offset + 8 > total { return false }
                        offsets[2 * kk + h] = offset
                        masks[2 * kk + h] = mask
                    }
                }
                var ci = firstChannel, kk = k0 % kernelArea
                var channel = x + ci * plane
                let out = UnsafeMutableRawPointer(panel)
                for p in 0..<kc {
                    let lo = UnsafeRawPointer(channel + offsets[2 * kk]).loadUnaligned(as: M.self) & masks[2 * kk]
                    let hi = UnsafeRawPointer(channel + offsets[2 * kk + 1]).loadUnaligned(as: M.self) & masks[2 * kk + 1]
                    out.storeBytes(of: lo, toByteOffset: p * 64, as: M.self)
                    out.storeBytes(of: hi, toByteOffset: p * 64 + 32, as: M.self)
                    kk += 1
                    if kk == kernelArea { kk = 0; ci += 1; channel += plane }
                }
                _ = ci
                return true
            }
        }
    }

    /// One past the last element of x.
    @inline(__always)
    private var xEnd: UnsafePointer<Float> {
        x + geometry.images * geometry.inChannels * geometry.height * geometry.width
    }

    /// dst[e] = x[channel][iy][ix + e·stride] for e < count, zero where the read falls outside the image.
    @inline(__always)
    private func copyRun(_ dst: UnsafeMutablePointer<Float>, count: Int, channelBase: UnsafePointer<Float>,
                         iy: Int, ix: Int) {
        let g = geometry
        if iy < 0 || iy >= g.height {
            for e in 0..<count { dst[e] = 0 }
            return
        }
        let s = g.stride
        // Elements e with 0 ≤ ix + e·s < W.
        let first = ix >= 0 ? 0 : min(count, (-ix + s - 1) / s)
        let end = ix >= g.width ? 0 : max(first, min(count, (g.width - 1 - ix) / s + 1))
        let src = channelBase + iy * g.width + ix
        if s == 1 && (count == 16 || count == 8) && src >= x && src + count <= xEnd {
            // Stride 1, a full vector run: copy with vectors, then zero the lanes that fall outside this
            // input row (the padding at the left / right edge; they read the neighbouring row, inside x).
            let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(dst)
            to.storeBytes(of: from.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
            if count == 16 {
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), toByteOffset: 32,
                              as: SIMD8<Float>.self)
            }
            for e in 0..<first { dst[e] = 0 }
            for e in end..<count { dst[e] = 0 }
            return
        }
        if s == 2 && (count == 16 || count == 8) && first == 0 && end == count && ix + 2 * count <= g.width {
            // Stride 2, whole run inside the row: even lanes of 2·count contiguous floats.
            let from = UnsafeRawPointer(src), to = UnsafeMutableRawPointer(dst)
            for half in 0..<(count / 8) {
                let pair = SIMD16<Float>(lowHalf: from.loadUnaligned(fromByteOffset: half * 64, as: SIMD8<Float>.self),
                                         highHalf: from.loadUnaligned(fromByteOffset: half * 64 + 32, as: SIMD8<Float>.self))
                to.storeBytes(of: pair.evenHalf, toByteOffset: half * 32, as: SIMD8<Float>.self)
            }
            return
        }
        for e in 0..<first { dst[e] = 0 }
        for e in first..<end { dst[e] = src[e * s] }
        for e in end..<count { dst[e] = 0 }
    }
}

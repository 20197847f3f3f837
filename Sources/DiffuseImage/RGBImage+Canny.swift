import DiffuseCore

/// The Canny edge detector of ControlNet's "canny" preprocessor.
/// Port of OpenCV's `cv::Canny` (modules/imgproc/src/canny.cpp, 4.x/5.x), apertureSize 3, L1 gradient.
extension RGBImage {
    /// OpenCV's `cv2.Canny(rgb, low, high)` on this picture, stacked into 3 channels: edges 255, the rest 0.
    ///
    /// A1111's ControlNet extension and diffusers' ControlNet docs make the control image this way, with
    /// `low` 100 and `high` 200 by default. Equal to OpenCV bit for bit:
    /// - 3×3 Sobel dx, dy of each channel (`BORDER_REPLICATE`); per pixel the channel with the largest
    ///   |dx| + |dy| (the first one on ties) gives the gradient and its magnitude m = |dx| + |dy|;
    /// - thresholds swapped if `low > high`, then floored to integers; m must exceed them (`>`);
    /// - non-maximum suppression along the gradient's direction, quantised with OpenCV's fixed-point
    ///   tangents of 22.5° and 67.5°; magnitude outside the picture counts as 0;
    /// - hysteresis: pixels with m > high are edges, and so is every candidate (m > low, a local
    ///   maximum) 8-connected to an edge (an explicit stack, no recursion).
    ///
    /// Memory: a (W+2)·(H+2) byte map, three rows of gradients, and the stack (at most one Int32 a pixel).
    public func cannyEdges(low: Double = 100, high: Double = 200) -> RGBImage {
        require(!low.isNaN && !high.isNaN, "cannyEdges: thresholds must be numbers (low \(low), high \(high))")
        guard width > 0, height > 0 else { return self }
        let (lowT, highT) = low > high ? (Self.cannyFloor(high), Self.cannyFloor(low))
                                       : (Self.cannyFloor(low), Self.cannyFloor(high))
        let w = width, h = height, mapStep = w + 2
        require(mapStep * (h + 2) < Int(Int32.max), "cannyEdges: \(w)×\(h) is too large")

        // map [(H+2), (W+2)]: 0 = candidate, 1 = not an edge (and the border), 2 = edge.
        var map = [UInt8](repeating: 1, count: mapStep * (h + 2))
        var stack: [Int32] = []
        // Three rows (previous, actual, next) of magnitudes [W+2] with a zero on each side, and of the
        // chosen channel's dx, dy [W].
        var mags = [Int32](repeating: 0, count: 3 * mapStep)
        var dxs = [Int16](repeating: 0, count: 3 * w)
        var dys = [Int16](repeating: 0, count: 3 * w)

        pixels.withUnsafeBufferPointer { src in
            map.withUnsafeMutableBufferPointer { map in
                mags.withUnsafeMutableBufferPointer { mags in
                    dxs.withUnsafeMutableBufferPointer { dxs in
                        dys.withUnsafeMutableBufferPointer { dys in
                            let src = src.baseAddress!, map = map.baseAddress!
                            // Ring-buffer slots; rows outside the picture are all zero.
                            var (p, a, n) = (0, 1, 2)
                            for i in 0...h {
                                (p, a, n) = (a, n, p)
                                let magN = mags.baseAddress! + n * mapStep + 1
                                if i < h {
                                    Self.cannyGradientRow(src, width: w, height: h, y: i, mag: magN,
                                                          dx: dxs.baseAddress! + n * w, dy: dys.baseAddress! + n * w)
                                    if i == 0 { continue }
                                } else {
                                    (magN - 1).update(repeating: 0, count: mapStep)
                                }
                                // Suppress and threshold source row i - 1 (map row i).
                                Self.cannySuppressRow(magP: mags.baseAddress! + p * mapStep + 1,
                                                      magA: mags.baseAddress! + a * mapStep + 1, magN: magN,
                                                      dx: dxs.baseAddress! + a * w, dy: dys.baseAddress! + a * w,
                                                      width: w, low: lowT, high: highT,
                                                      map: map, row: i * mapStep + 1, stack: &stack)
                            }
                            Self.cannyHysteresis(map: map, mapStep: mapStep, stack: &stack)
                        }
                    }
                }
            }
        }

        var out = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w where map[(y + 1) * mapStep + x + 1] == 2 {
                let o = (y * w + x) * 3
                out[o] = 255; out[o + 1] = 255; out[o + 2] = 255
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// OpenCV's `cvFloor` of a threshold, kept in a range where Int32 arithmetic cannot overflow
    /// (magnitudes never exceed 2·4·255 = 2040, so the clamp changes no result).
    static func cannyFloor(_ t: Double) -> Int32 {
        Int32(min(max(t.rounded(.down), -1_000_000), 1_000_000))
    }

    /// Row y's gradient: for every pixel, the 3×3 Sobel of each channel with replicated borders,
    ///   dx = (p[y-1][x+1] - p[y-1][x-1]) + 2·(p[y][x+1] - p[y][x-1]) + (p[y+1][x+1] - p[y+1][x-1]),
    ///   dy = (p[y+1][x-1] + 2·p[y+1][x] + p[y+1][x+1]) - (p[y-1][x-1] + 2·p[y-1][x] + p[y-1][x+1]),
    /// and the channel with the largest |dx| + |dy| (strictly larger than an earlier channel's to win).
    /// Writes mag[0..<W] (mag[-1] and mag[W] are left 0), dx[0..<W], dy[0..<W].
    static func cannyGradientRow(_ src: UnsafePointer<UInt8>, width w: Int, height h: Int, y: Int,
                                 mag: UnsafeMutablePointer<Int32>, dx: UnsafeMutablePointer<Int16>,
                                 dy: UnsafeMutablePointer<Int16>) {
        let up = src + max(y - 1, 0) * w * 3, mid = src + y * w * 3, down = src + min(y + 1, h - 1) * w * 3
        for x in 0..<w {
            let l = max(x - 1, 0) * 3, c = x * 3, r = min(x + 1, w - 1) * 3
            var best: Int32 = -1, bestDx: Int32 = 0, bestDy: Int32 = 0
            for k in 0..<3 {
                let ul = Int32(up[l + k]), uc = Int32(up[c + k]), ur = Int32(up[r + k])
                let ml = Int32(mid[l + k]), mr = Int32(mid[r + k])
                let dl = Int32(down[l + k]), dc = Int32(down[c + k]), dr = Int32(down[r + k])
                let gx = (ur - ul) + 2 * (mr - ml) + (dr - dl)
                let gy = (dl + 2 * dc + dr) - (ul + 2 * uc + ur)
                let m = abs(gx) + abs(gy)
                if m > best { best = m; bestDx = gx; bestDy = gy }
            }
            mag[x] = best
            dx[x] = Int16(bestDx)
            dy[x] = Int16(bestDy)
        }
    }

    /// Non-maximum suppression of one row (canny.cpp's inner loop). With x = |dx|, y = |dy|·2¹⁵ and
    /// TG22 = ⌊tan 22.5°·2¹⁵ + 0.5⌋ = 13573: y < x·TG22 compares with left (>) and right (>=);
    /// y > x·TG22 + x·2¹⁶ (tan 67.5° = tan 22.5° + 2) with above (>) and below (>=); otherwise the
    /// diagonal, up-left/down-right when dx and dy have one sign, up-right/down-left when not (both >).
    /// A maximum with m > low is marked 0 (candidate), with m > high 2 (edge, pushed); the rest 1.
    static func cannySuppressRow(magP: UnsafePointer<Int32>, magA: UnsafePointer<Int32>, magN: UnsafePointer<Int32>,
                                 dx: UnsafePointer<Int16>, dy: UnsafePointer<Int16>, width: Int,
                                 low: Int32, high: Int32, map: UnsafeMutablePointer<UInt8>, row: Int,
                                 stack: inout [Int32]) {
        let tg22: Int32 = 13573
        for j in 0..<width {
            let m = magA[j]
            var isMax = false
            if m > low {
                let xs = Int32(dx[j]), ys = Int32(dy[j])
                let x = abs(xs), y = abs(ys) << 15
                let tg22x = x * tg22
                if y < tg22x {
                    isMax = m > magA[j - 1] && m >= magA[j + 1]
                } else if y > tg22x + (x << 16) {
                    isMax = m > magP[j] && m >= magN[j]
                } else {
                    let s = (xs ^ ys) < 0 ? -1 : 1
                    isMax = m > magP[j - s] && m > magN[j + s]
                }
            }
            if isMax && m > high {
                map[row + j] = 2
                stack.append(Int32(row + j))
            } else {
                map[row + j] = isMax ? 0 : 1
            }
        }
    }

    /// Hysteresis: every candidate (0) 8-connected to an edge (2) becomes an edge. The border of the map
    /// is 1, so neighbours never leave it.
    static func cannyHysteresis(map: UnsafeMutablePointer<UInt8>, mapStep: Int, stack: inout [Int32]) {
        let neighbours = [-mapStep - 1, -mapStep, -mapStep + 1, -1, 1, mapStep - 1, mapStep, mapStep + 1]
        while let top = stack.popLast() {
            let i = Int(top)
            for d in neighbours where map[i + d] == 0 {
                map[i + d] = 2
                stack.append(Int32(i + d))
            }
        }
    }
}

extension RGBImage {
    /// Writes an 8-bit RGB, non-interlaced PNG with `text` as tEXt chunks (iTXt, UTF-8, where a value is
    /// not Latin-1) in the given order, before the image data.
    ///
    /// Atomic: the bytes go to a temporary file in the same folder, which is then renamed to `path`; on
    /// any error the temporary file is removed and `path` is untouched.
    public func writePNG(to path: String, text: [(key: String, value: String)] = []) throws {
        let bytes: [UInt8]
        do {
            bytes = try pngData(text: text)
        } catch let error as ImageError {
            throw ImageError(error.kind, path: path, error.reason)
        }
        try ImageFile.writeAtomically(bytes, to: path)
    }

    /// The bytes `writePNG` writes.
    public func pngData(text: [(key: String, value: String)] = []) throws -> [UInt8] {
        guard width > 0, height > 0 else {
            throw ImageError(.badDimensions, path: "PNG output",
                             "cannot write a \(width)×\(height) image: PNG needs at least 1×1 pixels")
        }
        guard width <= 0x7FFF_FFFF, height <= 0x7FFF_FFFF else {
            throw ImageError(.badDimensions, path: "PNG output", "\(width)×\(height) is too large for PNG")
        }
        var out = ImageSignature.pngMagic
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // 8-bit, truecolour, deflate, adaptive filtering, no interlace
        PNGChunk.append("IHDR", header, to: &out)
        for (key, value) in text {
            let chunk = try PNGText.encode(key: key, value: value)
            PNGChunk.append(chunk.type, chunk.data, to: &out)
        }
        PNGChunk.append("IDAT", Zlib.compress(PNGFilter.filterRows(pixels, width: width, height: height)), to: &out)
        PNGChunk.append("IEND", [], to: &out)
        return out
    }
}

/// Row filters (PNG spec §9).
enum PNGFilter {
    /// Filters every row of 8-bit RGB pixels with the type whose output has the smallest sum of
    /// absolute values taken as signed bytes (libpng's heuristic, which suits deflate well).
    static func filterRows(_ pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        let stride = width * 3
        var out = [UInt8](repeating: 0, count: height * (stride + 1))
        var candidates = [UInt8](repeating: 0, count: 5 * stride)
        let zeros = [UInt8](repeating: 0, count: stride)
        pixels.withUnsafeBufferPointer { image in
            zeros.withUnsafeBufferPointer { zeroRow in
                candidates.withUnsafeMutableBufferPointer { cand in
                    out.withUnsafeMutableBufferPointer { dest in
                        for y in 0..<height {
                            let row = image.baseAddress! + y * stride
                            let above = y == 0 ? zeroRow.baseAddress! : image.baseAddress! + (y - 1) * stride
                            var best = 0
                            var bestScore = Int.max
                            for type in 0..<5 {
                                let c = cand.baseAddress! + type * stride
                                filter(type: type, row: row, above: above, count: stride, into: c)
                                var score = 0
                                for i in 0..<stride { let v = Int(Int8(bitPattern: c[i])); score += v < 0 ? -v : v }
                                if score < bestScore { bestScore = score; best = type }
                            }
                            let start = dest.baseAddress! + y * (stride + 1)
                            start[0] = UInt8(best)
                            (start + 1).update(from: cand.baseAddress! + best * stride, count: stride)
                        }
                    }
                }
            }
        }
        return out
    }

    /// One row through filter `type` (0 none, 1 sub, 2 up, 3 average, 4 Paeth) for 3-byte pixels.
    @inline(__always)
    static func filter(type: Int, row: UnsafePointer<UInt8>, above: UnsafePointer<UInt8>, count: Int,
                       into out: UnsafeMutablePointer<UInt8>) {
        switch type {
        case 0:
            out.update(from: row, count: count)
        case 1:
            for i in 0..<count { out[i] = row[i] &- (i >= 3 ? row[i - 3] : 0) }
        case 2:
            for i in 0..<count { out[i] = row[i] &- above[i] }
        case 3:
            for i in 0..<count {
                let a = i >= 3 ? Int(row[i - 3]) : 0
                out[i] = row[i] &- UInt8((a + Int(above[i])) >> 1)
            }
        default:
            for i in 0..<count {
                let a: UInt8 = i >= 3 ? row[i - 3] : 0
                let c: UInt8 = i >= 3 ? above[i - 3] : 0
                out[i] = row[i] &- paeth(a, above[i], c)
            }
        }
    }

    @inline(__always)
    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    /// Reverses the filter of one row in place. `bpp` is bytes per complete pixel (at least 1).
    /// Returns false for an unknown filter type.
    static func unfilter(type: UInt8, row: UnsafeMutableBufferPointer<UInt8>,
                         above: UnsafeBufferPointer<UInt8>?, bpp: Int) -> Bool {
        let n = row.count
        switch type {
        case 0: break
        case 1:
            if n > bpp { for i in bpp..<n { row[i] = row[i] &+ row[i - bpp] } }
        case 2:
            if let above { for i in 0..<n { row[i] = row[i] &+ above[i] } }
        case 3:
            for i in 0..<n {
                let a = i >= bpp ? Int(row[i - bpp]) : 0
                let b = above.map { Int($0[i]) } ?? 0
                row[i] = row[i] &+ UInt8((a + b) >> 1)
            }
        case 4:
            for i in 0..<n {
                let a = i >= bpp ? row[i - bpp] : 0
                let b = above?[i] ?? 0
                let c = (i >= bpp ? above?[i - bpp] : nil) ?? 0
                row[i] = row[i] &+ paeth(a, b, c)
            }
        default:
            return false
        }
        return true
    }
}

/// PNG → 8-bit RGB as Pillow's `Image.open(f).convert("RGB")`:
/// - gray: 1/2/4-bit scaled to 0…255 (×255, ×85, ×17); 8-bit as is; **16-bit clipped to 0…255**
///   (Pillow opens it as mode "I;16" and its I→RGB conversion clamps rather than scales);
/// - RGB, RGBA, gray+alpha at 16 bits keep the high byte of each sample; alpha is dropped, tRNS ignored;
/// - palette indices past the end of PLTE give black.
enum PNGDecoder {
    struct Header {
        var width: Int, height: Int, depth: Int, colorType: Int, interlaced: Bool
        var channels: Int {
            switch colorType { case 0, 3: 1; case 2: 3; case 4: 2; default: 4 }
        }
        var bitsPerPixel: Int { channels * depth }
        func rowBytes(_ pixels: Int) -> Int { (pixels * bitsPerPixel + 7) / 8 }
    }

    /// Adam7 passes: x start, y start, x step, y step.
    static let adam7: [(Int, Int, Int, Int)] = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
                                                 (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

    static func header(_ chunks: [PNGChunk], source: String) throws -> Header {
        func corrupt(_ why: String) -> ImageError { ImageError(.corrupt, path: source, "damaged PNG: \(why)") }
        guard let first = chunks.first, first.type == "IHDR" else {
            throw corrupt("the first chunk is \(chunks.first?.type ?? "missing"), not IHDR")
        }
        guard first.data.count == 13 else { throw corrupt("IHDR holds \(first.data.count) bytes instead of 13") }
        let d = Array(first.data)
        let width = Int(d.bigEndianUInt32(at: 0)), height = Int(d.bigEndianUInt32(at: 4))
        let depth = Int(d[8]), colorType = Int(d[9])
        let allowed: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = allowed[colorType] else { throw corrupt("unknown colour type \(colorType) in IHDR") }
        guard depths.contains(depth) else {
            throw corrupt("bit depth \(depth) is not allowed for colour type \(colorType)")
        }
        guard d[10] == 0 else { throw corrupt("unknown compression method \(d[10])") }
        guard d[11] == 0 else { throw corrupt("unknown filter method \(d[11])") }
        guard d[12] <= 1 else { throw corrupt("unknown interlace method \(d[12])") }
        try ImageLimits.check(width: width, height: height, path: source)
        return Header(width: width, height: height, depth: depth, colorType: colorType, interlaced: d[12] == 1)
    }

    static func decode(_ bytes: [UInt8], source: String) throws -> RGBImage {
        func corrupt(_ why: String) -> ImageError { ImageError(.corrupt, path: source, "damaged PNG: \(why)") }
        let chunks = try PNGChunk.split(bytes, source: source)
        let h = try header(chunks, source: source)

        var palette = [UInt8](repeating: 0, count: 256 * 3)
        if h.colorType == 3 {
            guard let plte = chunks.first(where: { $0.type == "PLTE" }) else {
                throw corrupt("a palette image without a PLTE chunk")
            }
            guard plte.data.count % 3 == 0, plte.data.count <= 768, !plte.data.isEmpty else {
                throw corrupt("PLTE holds \(plte.data.count) bytes (must be 3 to 768, a multiple of 3)")
            }
            palette.replaceSubrange(0..<plte.data.count, with: plte.data)
        }
        let idat = chunks.filter { $0.type == "IDAT" }.map(\.data)
        guard !idat.isEmpty else { throw corrupt("no IDAT chunk (no image data)") }

        let passes = h.interlaced ? adam7 : [(0, 0, 1, 1)]
        var sizes: [(w: Int, h: Int)] = []
        var expected = 0
        for (x0, y0, dx, dy) in passes {
            let pw = h.width > x0 ? (h.width - x0 + dx - 1) / dx : 0
            let ph = h.height > y0 ? (h.height - y0 + dy - 1) / dy : 0
            sizes.append((pw, ph))
            if pw > 0 && ph > 0 { expected += ph * (1 + h.rowBytes(pw)) }
        }
        // deflate expands at most ~1032:1; refuse before allocating `expected` bytes for a tiny file.
        let compressed = idat.reduce(0) { $0 + $1.count }
        guard compressed * 1032 + 1024 >= expected else {
            throw ImageError(.truncated, path: source,
                             "the PNG holds \(compressed) bytes of image data, far too few for \(h.width)×\(h.height) "
                             + "pixels — the file is incomplete or its header is wrong")
        }
        var raw: [UInt8]
        do {
            raw = try Zlib.inflate(idat, expected: expected)
        } catch {
            switch error {
            case .shortInput(let produced):
                throw ImageError(.truncated, path: source,
                                 "the PNG image data ends early (\(produced) of \(expected) bytes) — the file is incomplete")
            case .corrupt(let message): throw corrupt("bad zlib stream in IDAT (\(message))")
            case .tooLarge: throw corrupt("IDAT inflates to too much data")
            }
        }

        var pixels = [UInt8](repeating: 0, count: h.width * h.height * 3)
        let bpp = max(1, h.bitsPerPixel / 8)
        var offset = 0
        try raw.withUnsafeMutableBufferPointer { rawBuffer in
            try pixels.withUnsafeMutableBufferPointer { out in
                for (pass, (x0, y0, dx, dy)) in passes.enumerated() {
                    let (pw, ph) = sizes[pass]
                    guard pw > 0 && ph > 0 else { continue }
                    let stride = h.rowBytes(pw)
                    for j in 0..<ph {
                        let type = rawBuffer[offset]
                        let row = UnsafeMutableBufferPointer(rebasing: rawBuffer[(offset + 1)..<(offset + 1 + stride)])
                        let above = j == 0 ? nil
                            : UnsafeBufferPointer(rebasing: rawBuffer[(offset + 1 - stride - 1)..<(offset)])
                        guard PNGFilter.unfilter(type: type, row: row, above: above, bpp: bpp) else {
                            throw corrupt("unknown row filter type \(type)")
                        }
                        expand(UnsafeBufferPointer(row), count: pw, header: h, palette: palette,
                               into: out, y: y0 + j * dy, x0: x0, dx: dx)
                        offset += 1 + stride
                    }
                }
            }
        }
        return RGBImage(width: h.width, height: h.height, pixels: pixels)
    }

    /// Turns one unfiltered row of `count` pixels into RGB at (x0 + i·dx, y).
    static func expand(_ row: UnsafeBufferPointer<UInt8>, count: Int, header h: Header, palette: [UInt8],
                       into out: UnsafeMutableBufferPointer<UInt8>, y: Int, x0: Int, dx: Int) {
        var o = (y * h.width + x0) * 3
        let step = dx * 3
        switch (h.colorType, h.depth) {
        case (2, 8):
            for i in 0..<count {
                out[o] = row[3 * i]; out[o + 1] = row[3 * i + 1]; out[o + 2] = row[3 * i + 2]; o += step
            }
        case (6, 8):
            for i in 0..<count {
                out[o] = row[4 * i]; out[o + 1] = row[4 * i + 1]; out[o + 2] = row[4 * i + 2]; o += step
            }
        case (2, 16), (6, 16):
            let n = h.channels * 2
            for i in 0..<count {
                out[o] = row[n * i]; out[o + 1] = row[n * i + 2]; out[o + 2] = row[n * i + 4]; o += step
            }
        case (0, 16):
            for i in 0..<count {
                let v = Int(row[2 * i]) << 8 | Int(row[2 * i + 1])
                let g = UInt8(min(v, 255))
                out[o] = g; out[o + 1] = g; out[o + 2] = g; o += step
            }
        case (4, 8), (4, 16):
            let n = h.channels * h.depth / 8
            for i in 0..<count {
                let g = row[n * i]
                out[o] = g; out[o + 1] = g; out[o + 2] = g; o += step
            }
        default:  // gray 1/2/4/8 or palette 1/2/4/8: packed samples, most significant bits first
            let depth = h.depth
            let mask = (1 << depth) - 1
            let scale = h.colorType == 0 ? 255 / mask : 1
            for i in 0..<count {
                let bit = i * depth
                let v = (Int(row[bit >> 3]) >> (8 - depth - (bit & 7))) & mask
                if h.colorType == 3 {
                    out[o] = palette[3 * v]; out[o + 1] = palette[3 * v + 1]; out[o + 2] = palette[3 * v + 2]
                } else {
                    let g = UInt8(v * scale)
                    out[o] = g; out[o + 1] = g; out[o + 2] = g
                }
                o += step
            }
        }
    }
}

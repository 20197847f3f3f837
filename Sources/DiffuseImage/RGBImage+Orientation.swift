/// EXIF orientation, as `diffusers.utils.load_image` applies it (`PIL.ImageOps.exif_transpose`).
/// `RGBImage(contentsOf:)` leaves pixels as stored, like `Image.open(f).convert("RGB")`; camera photos
/// whose EXIF says "rotate" come out sideways unless read with `applyingOrientation: true`.
extension RGBImage {
    /// Reads a PNG or JPEG and, when `applyingOrientation`, turns it upright by its EXIF orientation
    /// (JPEG APP1 "Exif" or PNG eXIf) exactly as `ImageOps.exif_transpose` does.
    public init(contentsOf path: String, applyingOrientation: Bool) throws {
        let bytes = try ImageFile.contents(of: path)
        let image = try RGBImage(data: bytes, source: path)
        if applyingOrientation, let orientation = RGBImage.exifOrientation(data: bytes) {
            self = image.oriented(exifOrientation: orientation)
        } else {
            self = image
        }
    }

    /// The EXIF orientation tag (1–8) of a JPEG or PNG file's bytes; nil when absent or unreadable.
    public static func exifOrientation(data: [UInt8]) -> Int? {
        switch ImageSignature(data) {
        case .png:
            guard let chunks = try? PNGChunk.split(data, source: ""),
                  let exif = chunks.first(where: { $0.type == "eXIf" }) else { return nil }
            return tiffOrientation(Array(exif.data))
        case .jpeg:
            var at = 2
            while at + 4 <= data.count, data[at] == 0xFF {
                let marker = data[at + 1]
                if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 || marker == 0xFF {
                    at += marker == 0xFF ? 1 : 2; continue
                }
                if marker == 0xDA || marker == 0xD9 { return nil }  // image data starts: no more headers
                let length = Int(data[at + 2]) << 8 | Int(data[at + 3])
                guard length >= 2, at + 2 + length <= data.count else { return nil }
                let segment = data[(at + 4)..<(at + 2 + length)]
                if marker == 0xE1, segment.starts(with: Array("Exif".utf8) + [0, 0]) {
                    return tiffOrientation(Array(segment.dropFirst(6)))
                }
                at += 2 + length
            }
            return nil
        case .other:
            return nil
        }
    }

    /// Orientation (tag 0x0112) from IFD0 of a TIFF structure.
    static func tiffOrientation(_ t: [UInt8]) -> Int? {
        guard t.count >= 8 else { return nil }
        let little: Bool
        switch (t[0], t[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ i: Int) -> Int? {
            guard i >= 0, i + 2 <= t.count else { return nil }
            return little ? Int(t[i]) | Int(t[i + 1]) << 8 : Int(t[i]) << 8 | Int(t[i + 1])
        }
        func u32(_ i: Int) -> Int? {
            guard let a = u16(i), let b = u16(i + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard let ifd = u32(4), let entries = u16(ifd) else { return nil }
        for e in 0..<entries {
            let entry = ifd + 2 + 12 * e
            guard let tag = u16(entry), let type = u16(entry + 2) else { return nil }
            if tag == 0x0112 {
                let value = type == 3 ? u16(entry + 8) : (type == 4 ? u32(entry + 8) : nil)
                return value.flatMap { (1...8).contains($0) ? $0 : nil }
            }
        }
        return nil
    }

    /// The image as `ImageOps.exif_transpose` turns it for `orientation` (1 and unknown values: unchanged;
    /// 5–8 swap width and height).
    public func oriented(exifOrientation orientation: Int) -> RGBImage {
        guard (2...8).contains(orientation) else { return self }
        let w = width, h = height
        let swaps = orientation >= 5
        let outW = swaps ? h : w, outH = swaps ? w : h
        var out = [UInt8](repeating: 0, count: pixels.count)
        for y in 0..<outH {
            for x in 0..<outW {
                let (sx, sy): (Int, Int)
                switch orientation {
                case 2: (sx, sy) = (w - 1 - x, y)            // FLIP_LEFT_RIGHT
                case 3: (sx, sy) = (w - 1 - x, h - 1 - y)    // ROTATE_180
                case 4: (sx, sy) = (x, h - 1 - y)            // FLIP_TOP_BOTTOM
                case 5: (sx, sy) = (y, x)                    // TRANSPOSE
                case 6: (sx, sy) = (y, h - 1 - x)            // ROTATE_270 (90° clockwise)
                case 7: (sx, sy) = (w - 1 - y, h - 1 - x)    // TRANSVERSE
                default: (sx, sy) = (w - 1 - y, x)           // 8: ROTATE_90 (90° counter-clockwise)
                }
                let s = (sy * w + sx) * 3, d = (y * outW + x) * 3
                out[d] = pixels[s]; out[d + 1] = pixels[s + 1]; out[d + 2] = pixels[s + 2]
            }
        }
        return RGBImage(width: outW, height: outH, pixels: out)
    }
}

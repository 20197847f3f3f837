extension RGBImage {
    /// Reads a PNG (any bit depth and colour type, palette, alpha, 16-bit, Adam7 interlaced) or a JPEG
    /// (baseline, progressive, grayscale, CMYK) — recognised by the file signature, never by the extension.
    /// Pixels come out as Pillow's `Image.open(path).convert("RGB")` gives them: alpha is dropped (not
    /// composited), 16-bit samples keep their high byte, palette and gray are expanded.
    public init(contentsOf path: String) throws {
        try self.init(data: ImageFile.contents(of: path), source: path)
    }

    /// Decodes PNG or JPEG bytes; `source` names them in errors (a path, "stdin", a URL).
    public init(data: [UInt8], source: String) throws {
        switch ImageSignature(data) {
        case .png: self = try PNGDecoder.decode(data, source: source)
        case .jpeg: self = try JPEGDecoder.decode(data, source: source)
        case .other(let description):
            throw ImageError(.unsupportedFormat, path: source,
                             "not a PNG or JPEG file (\(description)) — convert it to PNG or JPEG")
        }
    }
}

/// What the first bytes of a file say it is.
enum ImageSignature: Equatable {
    case png, jpeg
    case other(String)

    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    init(_ bytes: [UInt8]) {
        if bytes.starts(with: Self.pngMagic) { self = .png; return }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { self = .jpeg; return }
        if bytes.isEmpty { self = .other("the file is empty"); return }
        // Recognisable near-misses get a name; everything else shows its first bytes.
        if bytes.count < 8 && Self.pngMagic.starts(with: bytes) {
            self = .other("only \(bytes.count) bytes of a PNG signature: the file is cut short"); return
        }
        if bytes.count < 3 && [0xFF, 0xD8, 0xFF].starts(with: bytes) {
            self = .other("only \(bytes.count) bytes of a JPEG signature: the file is cut short"); return
        }
        let ascii = String(decoding: bytes.prefix(12).map { (32...126).contains($0) ? $0 : UInt8(ascii: ".") },
                           as: UTF8.self)
        var kind: String? = nil
        if bytes.starts(with: Array("GIF8".utf8)) { kind = "a GIF" }
        else if bytes.starts(with: Array("RIFF".utf8)) && bytes.count >= 12
                    && Array(bytes[8..<12]) == Array("WEBP".utf8) { kind = "a WebP" }
        else if bytes.starts(with: Array("BM".utf8)) { kind = "a BMP" }
        else if bytes.starts(with: [0x49, 0x49, 0x2A, 0x00]) || bytes.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) { kind = "a TIFF" }
        else if bytes.count >= 12 && Array(bytes[4..<8]) == Array("ftyp".utf8) { kind = "an HEIF/AVIF/MP4" }
        else if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { kind = "a damaged PNG (the signature's line-ending bytes were altered, e.g. by a text-mode transfer)" }
        else if bytes.starts(with: [0xFF, 0xD8]) { kind = "a damaged JPEG" }
        else if bytes.starts(with: Array("<".utf8)) || bytes.starts(with: Array("{".utf8)) { kind = "text (HTML/XML/JSON?)" }
        let hex = bytes.prefix(8).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            .joined(separator: " ")
        let start = "it starts with \(hex) \"\(ascii)\""
        self = .other(kind.map { "looks like \($0); \(start)" } ?? start)
    }
}

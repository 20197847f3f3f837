/// PNG text chunks: tEXt (Latin-1), zTXt (Latin-1, deflated), iTXt (UTF-8, maybe deflated).
enum PNGText {
    /// Largest inflated text accepted when reading (a guard against zip bombs).
    static let maxInflated = 16 << 20

    /// The keyword as Latin-1 bytes, checked as PNG requires: 1–79 printable Latin-1 characters, no
    /// leading, trailing or consecutive spaces.
    static func keywordBytes(_ key: String) throws -> [UInt8] {
        func bad(_ why: String) -> ImageError {
            ImageError(.invalidText, path: "PNG output", "text keyword \"\(key)\" \(why)")
        }
        var bytes: [UInt8] = []
        for scalar in key.unicodeScalars {
            let v = scalar.value
            guard (32...126).contains(v) || (161...255).contains(v) else {
                throw bad("holds \(v < 32 || v == 127 ? "a control character" : "\"\(scalar)\""); "
                          + "keywords may only use printable Latin-1 characters")
            }
            bytes.append(UInt8(v))
        }
        guard (1...79).contains(bytes.count) else { throw bad("must be 1 to 79 characters long") }
        guard bytes.first != 32, bytes.last != 32 else { throw bad("may not start or end with a space") }
        guard !zip(bytes, bytes.dropFirst()).contains(where: { $0 == 32 && $1 == 32 }) else {
            throw bad("may not hold two spaces in a row")
        }
        return bytes
    }

    /// tEXt when `value` is Latin-1 without NUL, else iTXt (uncompressed, UTF-8, no language tag).
    static func encode(key: String, value: String) throws -> (type: String, data: [UInt8]) {
        var data = try keywordBytes(key)
        data.append(0)
        let scalars = value.unicodeScalars
        if scalars.allSatisfy({ $0.value != 0 && $0.value <= 255 }) {
            data += scalars.map { UInt8($0.value) }
            return ("tEXt", data)
        }
        guard !scalars.contains(where: { $0.value == 0 }) else {
            throw ImageError(.invalidText, path: "PNG output",
                             "the value of text keyword \"\(key)\" holds a NUL character, which PNG text cannot store")
        }
        data += [0, 0, 0, 0]  // not compressed, method 0, empty language tag, empty translated keyword
        data += Array(value.utf8)
        return ("iTXt", data)
    }

    static func latin1(_ bytes: ArraySlice<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(Unicode.Scalar(b)) }
        return String(s)
    }

    /// Decodes a tEXt, zTXt or iTXt chunk; nil for other chunk types.
    static func decode(_ chunk: PNGChunk, source: String) throws -> (key: String, value: String)? {
        let d = chunk.data
        guard ["tEXt", "zTXt", "iTXt"].contains(chunk.type) else { return nil }
        func corrupt(_ why: String) -> ImageError {
            ImageError(.corrupt, path: source, "damaged PNG \(chunk.type) chunk: \(why)")
        }
        guard let nul = d.firstIndex(of: 0) else { throw corrupt("no NUL after the keyword") }
        let key = latin1(d[d.startIndex..<nul])
        var rest = d[(nul + 1)...]
        func inflated(_ bytes: ArraySlice<UInt8>) throws -> [UInt8] {
            do { return try Zlib.inflate(bytes, limit: maxInflated) } catch {
                switch error {
                case .tooLarge: throw corrupt("compressed text inflates beyond \(maxInflated >> 20) MB")
                case .shortInput: throw corrupt("compressed text stream ends early")
                case .corrupt(let m): throw corrupt("bad zlib stream (\(m))")
                }
            }
        }
        switch chunk.type {
        case "tEXt":
            return (key, latin1(rest))
        case "zTXt":
            guard rest.first == 0 else { throw corrupt("unknown compression method") }
            return (key, latin1(try inflated(rest.dropFirst())[...]))
        default:  // iTXt
            guard rest.count >= 2 else { throw corrupt("too short") }
            let compressed = rest[rest.startIndex] == 1
            rest = rest.dropFirst(2)
            guard let languageEnd = rest.firstIndex(of: 0) else { throw corrupt("no NUL after the language tag") }
            rest = rest[(languageEnd + 1)...]
            guard let translatedEnd = rest.firstIndex(of: 0) else { throw corrupt("no NUL after the translated keyword") }
            rest = rest[(translatedEnd + 1)...]
            let bytes = compressed ? try inflated(rest) : Array(rest)
            return (key, String(decoding: bytes, as: UTF8.self))
        }
    }
}

extension RGBImage {
    /// The text chunks (tEXt, zTXt, iTXt) of a PNG file, in file order. Chunks and CRCs are checked;
    /// the image data is not decoded.
    public static func pngText(contentsOf path: String) throws -> [(key: String, value: String)] {
        try pngText(data: ImageFile.contents(of: path), source: path)
    }

    /// `pngText(contentsOf:)` for bytes in memory.
    public static func pngText(data: [UInt8], source: String) throws -> [(key: String, value: String)] {
        guard ImageSignature(data) == .png else {
            if case .other(let description) = ImageSignature(data) {
                throw ImageError(.unsupportedFormat, path: source, "not a PNG file (\(description))")
            }
            throw ImageError(.unsupportedFormat, path: source, "not a PNG file (a JPEG has no PNG text chunks)")
        }
        return try PNGChunk.split(data, source: source).compactMap { try PNGText.decode($0, source: source) }
    }
}

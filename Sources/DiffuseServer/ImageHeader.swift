/// The pixel size an encoded PNG or JPEG declares in its header, read before anything is decoded so that a
/// small upload cannot ask for a huge image (a "decompression bomb").
enum ImageHeader {
    /// (width, height), or nil when `bytes` is neither a PNG nor a JPEG with a frame header.
    static func size(of bytes: [UInt8]) -> (width: Int, height: Int)? {
        if bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            // PNG: signature (8), IHDR length (4), "IHDR" (4), width (4, big-endian), height (4).
            return (bigEndian(bytes, 16, 4), bigEndian(bytes, 20, 4))
        }
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        // JPEG: walk the marker segments to the first start-of-frame (SOF0…SOF15 but DHT C4, JPG C8, DAC CC).
        var i = 2
        while i + 9 < bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }   // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            let length = bigEndian(bytes, i + 2, 2)
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                // Length (2), precision (1), height (2), width (2).
                return (bigEndian(bytes, i + 7, 2), bigEndian(bytes, i + 5, 2))
            }
            guard length >= 2 else { return nil }
            i += 2 + length
        }
        return nil
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int {
        (0..<count).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }
}

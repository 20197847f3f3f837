import DiffuseCore
import CZlib

/// One PNG chunk: 4-byte big-endian length, 4-byte type, data, CRC-32 of type + data.
struct PNGChunk {
    var type: String
    var data: ArraySlice<UInt8>

    static func crc(type: [UInt8], data: ArraySlice<UInt8>) -> UInt32 {
        var c = crc32(0, nil, 0)
        type.withUnsafeBufferPointer { c = crc32(c, $0.baseAddress, 4) }
        data.withUnsafeBufferPointer { c = crc32(c, $0.baseAddress, uInt($0.count)) }
        return UInt32(truncatingIfNeeded: c)
    }

    /// Appends the chunk in file form to `out`.
    static func append(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        require(typeBytes.count == 4, "PNG chunk type \(type) is not 4 bytes")
        out.appendBigEndian(UInt32(data.count))
        out.append(contentsOf: typeBytes)
        out.append(contentsOf: data)
        out.appendBigEndian(crc(type: typeBytes, data: data[...]))
    }

    /// Splits a PNG file (signature already checked) into chunks up to and including IEND, checking
    /// every length and CRC. Throws `truncated` when the file ends before IEND.
    static func split(_ bytes: [UInt8], source: String) throws -> [PNGChunk] {
        var chunks: [PNGChunk] = []
        var at = 8
        while true {
            guard at + 8 <= bytes.count else {
                throw ImageError(.truncated, path: source,
                                 "the PNG ends after \(bytes.count) bytes, before its IEND chunk "
                                 + "(\(chunks.isEmpty ? "no chunk at all" : "last complete chunk: \(chunks.last!.type)")) — "
                                 + "the file was cut short; download or copy it again")
            }
            let length = Int(bytes.bigEndianUInt32(at: at))
            let typeBytes = Array(bytes[(at + 4)..<(at + 8)])
            let typeOK = typeBytes.allSatisfy { (65...90).contains($0) || (97...122).contains($0) }
            let type = String(decoding: typeBytes.map { typeOK ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            guard typeOK, length <= 0x7FFF_FFFF else {
                throw ImageError(.corrupt, path: source,
                                 "damaged PNG: byte \(at) should start a chunk but holds no valid chunk header")
            }
            guard at + 12 + length <= bytes.count else {
                throw ImageError(.truncated, path: source,
                                 "the PNG ends inside its \(type) chunk (byte \(bytes.count) of \(at + 12 + length)) — "
                                 + "the file was cut short; download or copy it again")
            }
            let data = bytes[(at + 8)..<(at + 8 + length)]
            let stored = bytes.bigEndianUInt32(at: at + 8 + length)
            let computed = crc(type: typeBytes, data: data)
            guard stored == computed else {
                throw ImageError(.corrupt, path: source,
                                 "damaged PNG: CRC mismatch in the \(type) chunk at byte \(at) (stored "
                                 + "\(hex32(stored)), computed \(hex32(computed))) — the file is corrupted")
            }
            chunks.append(PNGChunk(type: type, data: data))
            at += 12 + length
            if type == "IEND" { return chunks }
        }
    }

    static func hex32(_ v: UInt32) -> String {
        let s = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - s.count) + s
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ v: UInt32) {
        append(UInt8(v >> 24)); append(UInt8((v >> 16) & 0xFF)); append(UInt8((v >> 8) & 0xFF)); append(UInt8(v & 0xFF))
    }
}

extension Collection where Element == UInt8, Index == Int {
    func bigEndianUInt32(at i: Int) -> UInt32 {
        UInt32(self[i]) << 24 | UInt32(self[i + 1]) << 16 | UInt32(self[i + 2]) << 8 | UInt32(self[i + 3])
    }
}

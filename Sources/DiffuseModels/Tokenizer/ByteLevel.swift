/// GPT-2's byte-level alphabet (`bytes_to_unicode` in `transformers/models/clip/tokenization_clip.py`,
/// `ByteLevel` in `tokenizers`): every byte maps to one printable character, so that a BPE vocabulary
/// of strings can hold arbitrary UTF-8. Printable Latin-1 bytes (`!`…`~`, `¡`…`¬`, `®`…`ÿ`) map to
/// themselves; the other 68 bytes map, in order, to U+0100, U+0101, ….
enum ByteLevel {
    /// `character[b]`: the character standing for byte `b`.
    static let character: [Unicode.Scalar] = {
        var printable = Set<UInt32>()
        for range in [0x21...0x7E, 0xA1...0xAC, 0xAE...0xFF] { for b in range { printable.insert(UInt32(b)) } }
        var table: [Unicode.Scalar] = []
        table.reserveCapacity(256)
        var next: UInt32 = 256
        for b in UInt32(0)..<256 {
            if printable.contains(b) {
                table.append(Unicode.Scalar(b)!)
            } else {
                table.append(Unicode.Scalar(next)!)
                next += 1
            }
        }
        return table
    }()

    /// The inverse of `character`: scalar value → byte (only for the 256 alphabet characters).
    static let byte: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (b, c) in character.enumerated() { map[c.value] = UInt8(b) }
        return map
    }()

    /// The bytes a token string stands for, or nil when a character is outside the alphabet (special
    /// tokens such as `<|endoftext|>` are inside it: `<`, `|`, … are printable ASCII).
    static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for scalar in token.unicodeScalars {
            guard let b = byte[scalar.value] else { return nil }
            out.append(b)
        }
        return out
    }

    /// The alphabet string for `bytes`.
    static func string(of bytes: some Sequence<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(character[Int(b)]) }
        return String(s)
    }
}

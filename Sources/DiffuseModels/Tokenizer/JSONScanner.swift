#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A small forward-only JSON reader over UTF-8 bytes, for the tokenizer's large files (`vocab.json`:
/// 49,408 entries; `tokenizer.json`: vocab + merges). It reads exactly what the tokenizer needs —
/// objects of string → integer, arrays of strings or of string pairs, and skips everything else —
/// without building a generic value tree. Why not `JSONDecoder` (which every config uses): *measured*
/// with `diffuse bench tokenizer` (release build, 2-core AMD EPYC, Swift 6.3, median of 10) on the
/// real CLIP `vocab.json` (49,408 tokens, Fixtures/tokenizer): this reader 4.2 ms, `JSONDecoder` into
/// `[String: Int]` 50.5 ms — 12× slower, paid on every pipeline load (the quick start's whole run is
/// ≈ 1 s). `tokenizer.json` holds the vocabulary and the 48,894 merges, more again for `JSONDecoder`.
///
/// Errors are `JSONScanner.Failure` with the byte offset; callers turn them into `TokenizerError`s that
/// name the file.
struct JSONScanner {
    struct Failure: Error, CustomStringConvertible {
        var offset: Int
        var message: String
        var description: String { "\(message) at byte \(offset)" }
    }

    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        // A UTF-8 byte-order mark is tolerated (Python's json module would not, but editors write one).
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    var isAtEnd: Bool { position >= bytes.count }

    func fail(_ message: String) -> Failure { Failure(offset: position, message: message) }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, without consuming it.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws {
        guard peek() == byte else {
            throw fail("expected \(what)" + (isAtEnd ? " but the file ends" : ""))
        }
        position += 1
    }

    /// Consumes `byte` if it is next.
    mutating func consume(_ byte: UInt8) -> Bool {
        if peek() == byte { position += 1; return true }
        return false
    }

    /// Requires that only whitespace remains.
    mutating func expectEnd() throws {
        if peek() != nil { throw fail("unexpected text after the JSON value") }
    }

    // MARK: Values

    /// The string at the current position if it has no escapes (the common case), found with `memchr`;
    /// nil, without moving, if there is no string here or it has an escape.
    mutating func readStringWithoutEscapes() -> String? {
        let start = position + 1
        guard start <= bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
        let found: (end: Int, text: String)? = bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            guard let quote = memchr(base + start, 0x22, buffer.count - start) else { return nil }
            let end = base.distance(to: quote.assumingMemoryBound(to: UInt8.self))
            if end > start, memchr(base + start, 0x5C, end - start) != nil { return nil }
            let text = String(unsafeUninitializedCapacity: end - start) { target in
                _ = memcpy(target.baseAddress!, base + start, end - start)
                return end - start
            }
            return (end, text)
        }
        guard let found else { return nil }
        position = found.end + 1
        return found.text
    }

    /// A string: `readStringWithoutEscapes`, else `readString`.
    mutating func readStringFast() throws -> String {
        skipWhitespace()
        return try readStringWithoutEscapes() ?? readString()
    }

    mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""), "a string")
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                let s = bytes.withUnsafeBufferPointer {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[start..<position]), as: UTF8.self)
                }
                position += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("control character in a string") }
            position += 1
        }
        var out = Array(bytes[start..<position])
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { break }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try readHex4()
                    if (0xD800..<0xDC00).contains(scalar), bytes[position...].starts(with: [0x5C, 0x75]) {
                        position += 2
                        let low = try readHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            appendScalar(0xFFFD, to: &out)
                            scalar = low
                        }
                    }
                    appendScalar(scalar, to: &out)
                default:
                    position -= 1
                    throw fail("invalid escape \\\(Character(Unicode.Scalar(e)))")
                }
            default:
                if b < 0x20 { position -= 1; throw fail("control character in a string") }
                out.append(b)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func readHex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[position]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | UInt32(d)
            position += 1
        }
        return v
    }

    private func appendScalar(_ value: UInt32, to out: inout [UInt8]) {
        // Lone surrogates become U+FFFD, as Python's json module would keep them but no token can hold them.
        let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    /// An integer (a JSON number without fraction or exponent; `49407.0` is refused).
    mutating func readInt() throws -> Int {
        skipWhitespace()
        var negative = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { negative = true; position += 1 }
        let start = position
        var value = 0
        while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[position] - 0x30))
            if o1 || o2 { throw fail("integer too large") }
            value = a
            position += 1
        }
        if position == start { throw fail("expected an integer" + (isAtEnd ? " but the file ends" : "")) }
        if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            throw fail("expected an integer, found a fractional number")
        }
        return negative ? -value : value
    }

    /// `true` / `false`.
    mutating func readBool() throws -> Bool {
        skipWhitespace()
        if bytes[position...].starts(with: Array("true".utf8)) { position += 4; return true }
        if bytes[position...].starts(with: Array("false".utf8)) { position += 5; return false }
        throw fail("expected true or false")
    }

    /// Consumes `null` if it is next.
    mutating func consumeNull() -> Bool {
        skipWhitespace()
        if bytes[position...].starts(with: Array("null".utf8)) { position += 4; return true }
        return false
    }

    /// Containers `skipValue` enters at most: far deeper than any tokenizer file (≤ 5), shallow enough that a
    /// hostile file nested a million levels deep is refused at once.
    static let maxDepth = 512

    /// Skips one value of any type — iteratively (an explicit stack of the open containers' closing bytes),
    /// so the input's nesting never becomes recursion; deeper than `maxDepth` is an error.
    mutating func skipValue() throws {
        var open: [UInt8] = []                                   // innermost last: "}" or "]"
        repeat {
            guard let b = peek() else { throw fail("expected a value but the file ends") }
            switch b {
            case UInt8(ascii: "\""):
                _ = try readString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                position += 1
                if consume(close) { break }                       // {} or []: the value is done
                guard open.count < Self.maxDepth else {
                    throw fail("JSON nested deeper than \(Self.maxDepth) levels (a tokenizer file is a few levels deep)")
                }
                open.append(close)
                if close == UInt8(ascii: "}") { try memberKey() }
                continue                                          // to the container's first value
            default:
                try skipScalar()
            }
            // A value is done: step over "," to the next value of its container, or close containers.
            while let close = open.last {
                if consume(UInt8(ascii: ",")) {
                    if close == UInt8(ascii: "}") { try memberKey() }
                    break
                }
                try expect(close, close == UInt8(ascii: "}") ? "',' or '}' in an object" : "',' or ']' in an array")
                open.removeLast()
            }
        } while !open.isEmpty
    }

    /// An object member's key and its ':'.
    private mutating func memberKey() throws {
        _ = try readString()
        try expect(UInt8(ascii: ":"), "':' after an object key")
    }

    /// A number, `true`, `false` or `null` (read up to the next delimiter, not validated).
    private mutating func skipScalar() throws {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                if position == start { throw fail("expected a value") }
                return
            default: position += 1
            }
        }
        if position == start { throw fail("expected a value") }
    }

    /// Calls `body` for each member of an object, positioned at the member's value, which `body` must
    /// consume.
    mutating func forEachMember(_ body: (inout JSONScanner, String) throws -> Void) throws {
        try expect(UInt8(ascii: "{"), "an object")
        if consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try readString()
            try expect(UInt8(ascii: ":"), "':' after an object key")
            try body(&self, key)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}' in an object")
    }

    /// Calls `body` for each element of an array; `body` must consume the element.
    mutating func forEachElement(_ body: (inout JSONScanner) throws -> Void) throws {
        try expect(UInt8(ascii: "["), "an array")
        if consume(UInt8(ascii: "]")) { return }
        repeat {
            try body(&self)
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"), "',' or ']' in an array")
    }
}

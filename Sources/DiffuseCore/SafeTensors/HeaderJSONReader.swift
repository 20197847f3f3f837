/// A small, strict, streaming JSON reader over the header bytes of a safetensors file.
///
/// Why not `JSONDecoder` (the Codable path every config takes) / `JSONSerialization`: `JSONSerialization` is
/// not in FoundationEssentials (which keeps static binaries at 21 MB instead of 70 MB), and `JSONDecoder`
/// (FoundationEssentials, Swift 6.3, checked on this machine) silently keeps the first of two duplicate
/// keys, decodes `2.0` and `1e3` into an `Int` as 2 and 1000 (a shape must be integers), drops the text of
/// an integer beyond Int64, answers every syntax error with "The given data was not valid JSON." and no
/// byte offset, and decodes the whole document into a tree first — SafeTensorsValidationTests needs each
/// of those refused and named. This reader is a cursor: the header
/// parser (`SafeTensorsHeader`) walks the schema it expects and pulls values one by one, so memory stays
/// proportional to what it keeps (names, shapes, metadata), nesting depth is bounded (no stack overflow on
/// `[[[[…`), integers are exact `Int64`, and duplicates are the caller's to detect.
///
/// The bytes must already be valid UTF-8 (checked by `validateUTF8` beforehand), so strings are decoded
/// without repair.
struct HeaderJSONReader {
    struct SyntaxError: Error {
        let reason: String
        /// Offset inside the header bytes.
        let offset: Int
    }

    enum Kind {
        case object, array, string, number, bool, null

        /// "an array", "a number", … for error messages.
        var phrase: String {
            switch self {
            case .object: "an object"
            case .array: "an array"
            case .string: "a string"
            case .number: "a number"
            case .bool: "a boolean"
            case .null: "null"
            }
        }
    }

    /// A JSON number: an exact integer, or the literal text of anything else (fractions, exponents,
    /// integers beyond Int64).
    enum Number {
        case integer(Int64)
        case other(String)
    }

    static let maxDepth = 64

    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { position >= bytes.count }

    func fail(_ reason: String, at offset: Int? = nil) -> SyntaxError {
        SyntaxError(reason: reason, offset: offset ?? position)
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// Skips whitespace and says what kind of value starts here.
    mutating func peekKind() throws -> Kind {
        skipWhitespace()
        guard position < bytes.count else { throw fail("the header ends where a value was expected") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        default: throw fail("unexpected character \(describeByte(bytes[position])) where a value was expected")
        }
    }

    /// Walks an object: calls `member(key)` with the cursor at each value; `member` must consume the value.
    mutating func readObject(depth: Int, _ member: (inout HeaderJSONReader, String) throws -> Void) throws {
        guard depth < Self.maxDepth else { throw fail("values are nested more than \(Self.maxDepth) levels deep") }
        try expect(UInt8(ascii: "{"))
        skipWhitespace()
        if peekByte == UInt8(ascii: "}") { position += 1; return }
        while true {
            skipWhitespace()
            guard peekByte == UInt8(ascii: "\"") else { throw fail("expected a quoted key in an object") }
            let key = try readString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
            skipWhitespace()
            guard let next = peekByte else { throw fail("the header ends inside an object (missing '}')") }
            position += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else {
                throw fail("expected ',' or '}' after an object member, found \(describeByte(next))", at: position - 1)
            }
        }
    }

    /// Walks an array: calls `element(index)` with the cursor at each element; it must consume the element.
    mutating func readArray(depth: Int, _ element: (inout HeaderJSONReader, Int) throws -> Void) throws {
        guard depth < Self.maxDepth else { throw fail("values are nested more than \(Self.maxDepth) levels deep") }
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if peekByte == UInt8(ascii: "]") { position += 1; return }
        var index = 0
        while true {
            try element(&self, index)
            index += 1
            skipWhitespace()
            guard let next = peekByte else { throw fail("the header ends inside an array (missing ']')") }
            position += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else {
                throw fail("expected ',' or ']' after an array element, found \(describeByte(next))", at: position - 1)
            }
        }
    }

    /// Reads a string value (the cursor must be at its opening quote, after whitespace).
    mutating func readString() throws -> String {
        skipWhitespace()
        try expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        var runStart = position
        while true {
            guard position < bytes.count else { throw fail("the header ends inside a string (missing '\"')") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                utf8.append(contentsOf: bytes[runStart..<position])
                position += 1
                return String(decoding: utf8, as: UTF8.self)
            }
            if byte < 0x20 { throw fail("unescaped control character \(describeByte(byte)) inside a string") }
            if byte != UInt8(ascii: "\\") { position += 1; continue }
            utf8.append(contentsOf: bytes[runStart..<position])
            position += 1
            guard position < bytes.count else { throw fail("the header ends inside a string escape") }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""): utf8.append(0x22)
            case UInt8(ascii: "\\"): utf8.append(0x5C)
            case UInt8(ascii: "/"): utf8.append(0x2F)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(try readHex4())
                if (0xD800..<0xDC00).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate.
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                          bytes[position + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired UTF-16 surrogate in a \\u escape")
                    }
                    position += 2
                    let low = UInt32(try readHex4())
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired UTF-16 surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw fail("unpaired UTF-16 surrogate in a \\u escape")
                }
                utf8.append(contentsOf: Array(String(Unicode.Scalar(scalar)!).utf8))
            default:
                throw fail("invalid escape \\\(describeByte(escape)) in a string", at: position - 2)
            }
            runStart = position
        }
    }

    /// Reads a number with the strict JSON grammar `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    mutating func readNumber() throws -> Number {
        skipWhitespace()
        let start = position
        var isInteger = true
        if peekByte == UInt8(ascii: "-") { position += 1 }
        guard let first = peekByte, isDigit(first) else { throw fail("a '-' must be followed by digits", at: start) }
        if first == UInt8(ascii: "0") {
            position += 1
            if let next = peekByte, isDigit(next) { throw fail("numbers must not have leading zeros", at: start) }
        } else {
            skipDigits()
        }
        if peekByte == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard let d = peekByte, isDigit(d) else { throw fail("a '.' in a number must be followed by digits") }
            skipDigits()
        }
        if peekByte == UInt8(ascii: "e") || peekByte == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if peekByte == UInt8(ascii: "+") || peekByte == UInt8(ascii: "-") { position += 1 }
            guard let d = peekByte, isDigit(d) else { throw fail("an exponent in a number must have digits") }
            skipDigits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if isInteger, let value = Int64(text) { return .integer(value) }
        return .other(text)
    }

    /// Reads `true` or `false`.
    mutating func readBool() throws -> Bool {
        skipWhitespace()
        if try matchLiteral("true") { return true }
        if try matchLiteral("false") { return false }
        throw fail("invalid literal (expected true or false)")
    }

    mutating func readNull() throws {
        skipWhitespace()
        guard try matchLiteral("null") else { throw fail("invalid literal (expected null)") }
    }

    /// Consumes one value of any kind, checking its syntax.
    mutating func skipValue(depth: Int) throws {
        switch try peekKind() {
        case .object: try readObject(depth: depth) { reader, _ in try reader.skipValue(depth: depth + 1) }
        case .array: try readArray(depth: depth) { reader, _ in try reader.skipValue(depth: depth + 1) }
        case .string: _ = try readString()
        case .number: _ = try readNumber()
        case .bool: _ = try readBool()
        case .null: try readNull()
        }
    }

    // MARK: Bytes

    private var peekByte: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func expect(_ byte: UInt8) throws {
        guard let actual = peekByte else {
            throw fail("the header ends where '\(Character(Unicode.Scalar(byte)))' was expected")
        }
        guard actual == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))', found \(describeByte(actual))")
        }
        position += 1
    }

    private mutating func matchLiteral(_ literal: StaticString) throws -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        for i in 0..<count where bytes[position + i] != literal.utf8Start[i] { return false }
        position += count
        return true
    }

    private mutating func readHex4() throws -> UInt16 {
        guard position + 4 <= bytes.count else { throw fail("the header ends inside a \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid hex digit \(describeByte(c)) in a \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private mutating func skipDigits() {
        while let b = peekByte, isDigit(b) { position += 1 }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private func describeByte(_ b: UInt8) -> String {
        (0x21...0x7E).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16, uppercase: true))"
    }
}

/// Offset of the first byte that is not part of valid UTF-8 (no overlongs, surrogates or values past
/// U+10FFFF), or nil when all of `bytes` is valid. Allocates nothing.
func firstInvalidUTF8Offset(_ bytes: UnsafeRawBufferPointer) -> Int? {
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch parser.parseScalar(from: &iterator) {
        case let .valid(encoded): offset += encoded.count
        case .error: return offset
        case .emptyInput: return nil
        }
    }
}

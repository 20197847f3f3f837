#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Readers for `vocab.json` and `merges.txt` (the SD 1.5 / 2.1 tokenizer layout).
extension CLIPTokenizer {
    static func read(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizerError(.unreadable, file: path,
                message: "cannot read the file (\(error)); check that it exists and is readable")
        }
    }

    /// `vocab.json`: one JSON object of token → integer id.
    package static func parseVocabulary(_ data: Data, file: String) throws -> [String: Int] {
        var scanner = JSONScanner(Array(data))
        do {
            let vocabulary = try scanner.readVocabulary()
            try scanner.expectEnd()
            return vocabulary
        } catch let failure as JSONScanner.Failure {
            throw TokenizerError(.malformedVocabulary, file: file,
                message: "not a JSON object of token → integer id (\(failure)); re-download vocab.json from the model repository")
        }
    }

    /// `merges.txt`: an optional `#version` first line, then one merge per line, two tokens separated by
    /// one space (`\n` or `\r\n` line ends). Empty lines are skipped. Returns the merges and their
    /// 1-based line numbers. Works on bytes: splitting a `String` goes by grapheme clusters, which is slow
    /// and treats `\r\n` as one character.
    static func parseMerges(_ data: Data, file: String) throws -> ([(String, String)], [Int]) {
        let bytes = [UInt8](data)
        var merges: [(String, String)] = []
        var lines: [Int] = []
        merges.reserveCapacity(50_000)
        lines.reserveCapacity(50_000)
        let version = Array("#version".utf8)
        var number = 0
        var start = 0
        while start < bytes.count {
            number += 1
            var end = bytes.withUnsafeBufferPointer { buffer in
                memchr(buffer.baseAddress! + start, 0x0A, buffer.count - start)
                    .map { buffer.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? buffer.count
            }
            let next = end + 1
            if end > start, bytes[end - 1] == 0x0D { end -= 1 }
            defer { start = next }
            if end == start || (number == 1 && bytes[start..<end].starts(with: version)) { continue }
            // Exactly one space, not at either end.
            let (space, spaces): (Int, Int) = bytes.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress!
                guard let first = memchr(base + start, 0x20, end - start) else { return (-1, 0) }
                let i = base.distance(to: first.assumingMemoryBound(to: UInt8.self))
                return (i, memchr(base + i + 1, 0x20, end - i - 1) == nil ? 1 : 2)
            }
            guard spaces == 1, space > start, space < end - 1 else {
                let line = String(decoding: bytes[start..<end], as: UTF8.self)
                throw TokenizerError(.malformedMerges, file: file,
                    message: "line \(number): \(quoted(line)) is not two tokens separated by one space (e.g. \"i n\"); "
                        + "re-download merges.txt from the model repository")
            }
            let left = String(decoding: bytes[start..<space], as: UTF8.self)
            let right = String(decoding: bytes[(space + 1)..<end], as: UTF8.self)
            merges.append((left, right))
            lines.append(number)
        }
        if merges.isEmpty {
            throw TokenizerError(.malformedMerges, file: file,
                message: "has no merges; re-download merges.txt from the model repository (CLIP has 48,894)")
        }
        return (merges, lines)
    }
}

extension JSONScanner {
    /// An object of string → integer (`vocab.json`, `model.vocab`). A pointer loop with `memchr` for the
    /// keys, so that loading stays fast in debug builds (where every `Array` subscript is a call); keys
    /// with escapes go through `readString`.
    mutating func readVocabulary() throws -> [String: Int] {
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(50_000)
        try expect(UInt8(ascii: "{"), "an object")
        if consume(UInt8(ascii: "}")) { return vocabulary }
        let bytes = self.bytes
        try bytes.withUnsafeBufferPointer { buffer in
            let p = buffer.baseAddress!
            let n = buffer.count
            var i = position
            func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
            while true {
                while i < n, isSpace(p[i]) { i += 1 }
                // Key.
                var key: String? = nil
                if i < n, p[i] == 0x22, let quote = memchr(p + i + 1, 0x22, n - i - 1) {
                    let start = i + 1
                    let end = p.distance(to: quote.assumingMemoryBound(to: UInt8.self))
                    if memchr(p + start, 0x5C, end - start) == nil {
                        key = String(unsafeUninitializedCapacity: end - start) { target in
                            if end > start { _ = memcpy(target.baseAddress!, p + start, end - start) }
                            return end - start
                        }
                        i = end + 1
                    }
                }
                if key == nil {
                    position = i
                    key = try readString()
                    i = position
                }
                while i < n, isSpace(p[i]) { i += 1 }
                guard i < n, p[i] == UInt8(ascii: ":") else { position = i; throw fail("expected ':' after an object key") }
                i += 1
                while i < n, isSpace(p[i]) { i += 1 }
                // Value: a non-negative integer (anything else goes through readInt for its error).
                var value = 0, digits = 0
                while i < n, p[i] >= 0x30, p[i] <= 0x39, digits < 18 {
                    value = value * 10 + Int(p[i] - 0x30)
                    digits += 1
                    i += 1
                }
                if digits == 0 || (i < n && !isSpace(p[i]) && p[i] != UInt8(ascii: ",") && p[i] != UInt8(ascii: "}")) {
                    position = i - digits
                    value = try readInt()
                    i = position
                }
                vocabulary[key!] = value
                while i < n, isSpace(p[i]) { i += 1 }
                if i < n, p[i] == UInt8(ascii: ",") { i += 1; continue }
                position = i
                break
            }
        }
        try expect(UInt8(ascii: "}"), "',' or '}' in an object")
        return vocabulary
    }
}


/// Splits text around occurrences of added tokens: at each position the longest token that starts
/// there wins, and the earliest position wins (Aho–Corasick "leftmost longest", as in `tokenizers`).
/// With `lstrip`/`rstrip`/`single_word` all false, as CLIP's tokens are.
struct AddedTokenSplitter: Sendable {
    enum Segment: Equatable {
        case text(String)
        case token(Int)
    }

    private let patterns: [(bytes: [UInt8], id: Int)]

    init(_ tokens: [(content: String, id: Int)]) {
        patterns = tokens.filter { !$0.content.isEmpty }.map { (Array($0.content.utf8), $0.id) }
    }

    var isEmpty: Bool { patterns.isEmpty }

    func split(_ text: String) -> [Segment] {
        guard !patterns.isEmpty else { return [.text(text)] }
        let bytes = Array(text.utf8)
        var segments: [Segment] = []
        var textStart = 0
        var i = 0
        while i < bytes.count {
            var best: (length: Int, id: Int)? = nil
            for p in patterns where p.bytes.count > (best?.length ?? 0) && p.bytes.first == bytes[i] {
                if bytes[i...].starts(with: p.bytes) { best = (p.bytes.count, p.id) }
            }
            if let match = best {
                if textStart < i { segments.append(.text(String(decoding: bytes[textStart..<i], as: UTF8.self))) }
                segments.append(.token(match.id))
                i += match.length
                textStart = i
            } else {
                i += 1
            }
        }
        if textStart < bytes.count { segments.append(.text(String(decoding: bytes[textStart...], as: UTF8.self))) }
        return segments
    }
}

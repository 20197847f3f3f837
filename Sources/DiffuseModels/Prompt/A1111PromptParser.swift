/// AUTOMATIC1111's prompt attention syntax: `parse_prompt_attention` (stable-diffusion-webui
/// modules/prompt_parser.py), the same pieces and weights for every text (checked against
/// Fixtures/prompt-syntax/parses.json, Scripts/fixtures/prompt_syntax.py):
///
///     (x)      x × 1.1            [x]     x ÷ 1.1            (x:1.3)   x × 1.3
///     nesting multiplies; an unclosed `(` / `[` is closed at the end; a `)` / `]` with nothing open is text
///     \( \) \[ \] \\   the literal character (a lone `\` is dropped)
///     BREAK    (upper case, a word of its own) → ("BREAK", -1): starts a new chunk
///
/// Adjacent pieces of equal weight are merged; an empty prompt is `[("", 1)]`. Anything else, `<lora:…>`
/// tags and `:` included, is text. Differences from A1111: a weight whose number does not parse
/// (`(x:1.2.3)`) is a thrown `PromptSyntaxError` (A1111 stops with a Python ValueError), and weights take
/// ASCII digits only (Python's `\d` also takes other scripts' digits).
public enum A1111PromptParser {
    static let roundMultiplier = 1.1
    static let squareMultiplier = 1 / 1.1

    public static func parse(_ prompt: String) throws -> [WeightedText] {
        let s = Array(prompt.unicodeScalars)
        var res: [WeightedText] = []
        var round: [Int] = [], square: [Int] = []
        func scale(from start: Int, by factor: Double) {
            for p in start..<res.count { res[p].weight *= factor }
        }
        func text(_ piece: ArraySlice<Unicode.Scalar>) {
            for (i, part) in splitBreaks(piece).enumerated() {
                if i > 0 { res.append(.breakMarker) }
                res.append(WeightedText(string(part), 1))
            }
        }
        var i = 0
        while i < s.count {
            let c = s[i]
            switch c {
            case "\\":
                if i + 1 < s.count, "()[]\\".unicodeScalars.contains(s[i + 1]) {
                    res.append(WeightedText(String(s[i + 1]), 1))
                    i += 2
                } else {
                    res.append(WeightedText("", 1))                  // A1111 drops a lone backslash
                    i += 1
                }
            case "(":
                round.append(res.count); i += 1
            case "[":
                square.append(res.count); i += 1
            case ":":
                if let end = weightEnd(s, colon: i) {                 // `:<number>)`, end = index of `)`
                    if let start = round.popLast() {
                        let number = string(s[(i + 1)..<end])
                        guard let weight = Double(number), weight.isFinite else {
                            throw PromptSyntaxError(fragment: string(s[i...end]), message:
                                "the weight \"\(number)\" is not a number; write e.g. (word:1.2), or escape the brackets as \\( \\)")
                        }
                        scale(from: start, by: weight)
                    } else {
                        text(s[i...end])
                    }
                    i = end + 1
                } else {
                    text(s[i...i]); i += 1
                }
            case ")":
                if let start = round.popLast() { scale(from: start, by: roundMultiplier) } else { text(s[i...i]) }
                i += 1
            case "]":
                if let start = square.popLast() { scale(from: start, by: squareMultiplier) } else { text(s[i...i]) }
                i += 1
            default:
                var j = i
                while j < s.count, !"\\()[]:".unicodeScalars.contains(s[j]) { j += 1 }
                text(s[i..<j])
                i = j
            }
        }
        for start in round { scale(from: start, by: roundMultiplier) }
        for start in square { scale(from: start, by: squareMultiplier) }
        if res.isEmpty { res = [WeightedText("", 1)] }
        var merged: [WeightedText] = []
        for piece in res {
            if let last = merged.last, last.weight == piece.weight {
                merged[merged.count - 1].text += piece.text
            } else {
                merged.append(piece)
            }
        }
        return merged
    }

    /// A1111's `:([+-]?[.\d]+)\)` at `colon`: the index of the closing `)`, or nil.
    static func weightEnd(_ s: [Unicode.Scalar], colon: Int) -> Int? {
        var j = colon + 1
        if j < s.count, s[j] == "+" || s[j] == "-" { j += 1 }
        let digitsStart = j
        while j < s.count, s[j] == "." || ("0"..."9").contains(s[j]) { j += 1 }
        guard j > digitsStart, j < s.count, s[j] == ")" else { return nil }
        return j
    }

    /// `re.split(r"\s*\bBREAK\b\s*", text)`: the text around each word `BREAK`, the whitespace next to it
    /// removed.
    static func splitBreaks(_ piece: ArraySlice<Unicode.Scalar>) -> [ArraySlice<Unicode.Scalar>] {
        let word = Array("BREAK".unicodeScalars)
        var parts: [ArraySlice<Unicode.Scalar>] = []
        var partStart = piece.startIndex, k = piece.startIndex
        while k + word.count <= piece.endIndex {
            let before = k == piece.startIndex ? nil : piece[k - 1]
            let after = k + word.count == piece.endIndex ? nil : piece[k + word.count]
            guard piece[k..<(k + word.count)].elementsEqual(word),
                  !(before.map(isWordCharacter) ?? false), !(after.map(isWordCharacter) ?? false) else {
                k += 1
                continue
            }
            var start = k
            while start > partStart, isSpace(piece[start - 1]) { start -= 1 }
            var end = k + word.count
            while end < piece.endIndex, isSpace(piece[end]) { end += 1 }
            parts.append(piece[partStart..<start])
            partStart = end
            k = end
        }
        parts.append(piece[partStart..<piece.endIndex])
        return parts
    }

    /// Python's `\w` in a str pattern: letters (Lu Ll Lt Lm Lo), characters with a numeric value, `_`.
    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return c == "_" || c.properties.numericType != nil
        }
    }

    /// Python's `\s` in a str pattern (`str.isspace`): Unicode White_Space plus U+001C…U+001F.
    static func isSpace(_ c: Unicode.Scalar) -> Bool {
        c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
    }

    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return String(out)
    }
}

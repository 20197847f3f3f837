/// The text side of transformers 5's `CLIPTokenizer` (`transformers/models/clip/tokenization_clip.py`),
/// written out by hand instead of with a regex engine:
///
/// - normalizer: `Sequence([NFC(), Replace(Regex(r"\s+"), " "), Lowercase()])`;
/// - pre-tokenizer: `Split(Regex(CLIP pattern), behavior="removed", invert=True)` — the regex matches
///   are the pieces and everything between them (whitespace) is dropped — followed by
///   `ByteLevel(add_prefix_space=False)`, whose GPT-2 regex splits each piece again. The second split
///   only matters for the literal `<|startoftext|>` / `<|endoftext|>` alternatives of the CLIP pattern
///   (text that was not matched as a special token, e.g. `<|ENDOFTEXT|>` in SD 1 folders): GPT-2's regex
///   cuts them into `<|`, `startoftext`, `|>`, and transformers gives those pieces' ids.
///
/// Character classes are the regex engine's (Oniguruma, Unicode): `\s` is the White_Space property
/// (U+0085, U+00A0, U+3000 are spaces; U+200B and U+FEFF are not), `\p{L}` the letter categories
/// (Lu Ll Lt Lm Lo), `\p{N}` the number categories (Nd Nl No, so `²` and `½` are numbers). The
/// properties come from Swift's Unicode tables; characters assigned in a newer Unicode version than the
/// regex engine's (or Rust's lower-casing tables) could split differently — none in the test cases.
enum CLIPPreTokenizer {
    /// CLIP's pattern:
    /// `<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+`.
    static let literalSpecials: [[Unicode.Scalar]] = ["<|startoftext|>", "<|endoftext|>"].map { Array($0.unicodeScalars) }

    // MARK: Normalizer

    /// NFC, then every run of whitespace → one space, then lower-casing scalar by scalar with the full
    /// Unicode mapping and no context (`İ` → `i̇`, `Σ` → `σ` even at a word end), as Rust's
    /// `char::to_lowercase` does in `tokenizers`.
    static func normalize(_ text: String) -> String {
        // NFC with the standard library's normaliser (`_nfcCodeUnits` is public but underscored; Foundation's
        // `precomposedStringWithCanonicalMapping` is not in FoundationEssentials).
        let nfc = text.utf8.allSatisfy { $0 < 0x80 } ? text : String(decoding: text._nfcCodeUnits, as: UTF8.self)
        var out = String.UnicodeScalarView()
        var inSpace = false
        for scalar in nfc.unicodeScalars {
            if isWhitespace(scalar) {
                if !inSpace { out.append(" ") }
                inSpace = true
                continue
            }
            inSpace = false
            if scalar.isASCII {
                let v = scalar.value
                out.append((0x41...0x5A).contains(v) ? Unicode.Scalar(v + 0x20)! : scalar)
            } else {
                out.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    // MARK: Pre-tokenizer

    /// The pieces of normalized text, in order: CLIP's split, then the GPT-2 split of each piece.
    static func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [String] = []
        for clipPiece in scan(scalars[...], clip: true) {
            let sub = scan(clipPiece, clip: false)
            if sub.count == 1 {
                pieces.append(string(sub[0]))
            } else {
                pieces.append(contentsOf: sub.map(string))
            }
        }
        return pieces
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// The regex matches in `s`, leftmost-first alternation as in Oniguruma; whitespace between
    /// matches is dropped.
    ///
    /// - `clip: true`: CLIP's pattern (literal special tokens, contractions, letter runs, ONE number,
    ///   runs of other non-space characters).
    /// - `clip: false`: the GPT-2 pattern of `ByteLevel` on text without whitespace
    ///   (`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|…`): number RUNS, no specials.
    static func scan(_ s: ArraySlice<Unicode.Scalar>, clip: Bool) -> [ArraySlice<Unicode.Scalar>] {
        var out: [ArraySlice<Unicode.Scalar>] = []
        var i = s.startIndex
        let end = s.endIndex
        while i < end {
            let c = s[i]
            if isWhitespace(c) { i += 1; continue }
            if clip, c == "<", let special = literalSpecials.first(where: { s[i...].starts(with: $0) }) {
                out.append(s[i..<(i + special.count)])
                i += special.count
                continue
            }
            if c == "'", let n = contractionLength(s, at: i) {
                out.append(s[i..<(i + n)])
                i += n
                continue
            }
            var j = i + 1
            if isLetter(c) {
                while j < end, isLetter(s[j]) { j += 1 }
            } else if isNumber(c) {
                if !clip { while j < end, isNumber(s[j]) { j += 1 } }
            } else {
                while j < end, !isWhitespace(s[j]), !isLetter(s[j]), !isNumber(s[j]) { j += 1 }
            }
            out.append(s[i..<j])
            i = j
        }
        return out
    }

    /// Length of `'s|'t|'re|'ve|'m|'ll|'d` at `i` (case-sensitive, as in the pattern; the text is already
    /// lower-cased).
    private static func contractionLength(_ s: ArraySlice<Unicode.Scalar>, at i: Int) -> Int? {
        guard i + 1 < s.endIndex else { return nil }
        switch s[i + 1] {
        case "s", "t", "m", "d": return 2
        case "r", "v":
            return i + 2 < s.endIndex && s[i + 2] == "e" ? 3 : nil
        case "l":
            return i + 2 < s.endIndex && s[i + 2] == "l" ? 3 : nil
        default: return nil
        }
    }

    // MARK: Character classes

    /// `\s`: the White_Space property.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            return c == " " || (0x09...0x0D).contains(c.value)
        }
        return c.properties.isWhitespace
    }

    /// `\p{L}`.
    static func isLetter(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            let v = c.value | 0x20
            return v >= 0x61 && v <= 0x7A
        }
        switch c.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    /// `\p{N}`.
    static func isNumber(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c.value >= 0x30 && c.value <= 0x39 }
        switch c.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }
}

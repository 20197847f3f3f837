#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The parts of a `tokenizers` `tokenizer.json` that a CLIP tokenizer needs:
///
///     {"added_tokens": [{"id": 49406, "content": "<|startoftext|>", "special": true, "normalized": false, …}, …],
///      "model": {"type": "BPE", "vocab": {"!": 0, …}, "merges": [["i", "n"], …] or ["i n", …],
///                "end_of_word_suffix": "</w>", …}, …}
///
/// transformers 5 writes merges as pairs; older `tokenizers` versions as `"a b"` strings. The
/// normalizer / pre-tokenizer / decoder sections are not read: the tokenizer is CLIP's by construction.
struct TokenizerJSON {
    var vocabulary: [String: Int] = [:]
    var merges: [(String, String)] = []
    var addedTokens: [CLIPAddedToken] = []

    static func parse(_ data: Data, file: String) throws -> TokenizerJSON {
        var scanner = JSONScanner(Array(data))
        var result = TokenizerJSON()
        var sawModel = false, sawVocab = false, sawMerges = false
        func malformed(_ message: String) -> TokenizerError {
            TokenizerError(.malformedTokenizerJSON, file: file,
                message: message + "; re-download tokenizer.json from the model repository (or save the tokenizer again with transformers)")
        }
        do {
            try scanner.forEachMember { scanner, key in
                switch key {
                case "model":
                    sawModel = true
                    try scanner.forEachMember { scanner, key in
                        switch key {
                        case "type":
                            let type = try scanner.readString()
                            if type != "BPE" { throw malformed("model.type is \(quoted(type)); a CLIP tokenizer is \"BPE\"") }
                        case "end_of_word_suffix":
                            if scanner.consumeNull() { throw malformed("model.end_of_word_suffix is null; CLIP's is \"</w>\"") }
                            let suffix = try scanner.readString()
                            if suffix != BytePairEncoding.endOfWordSuffix {
                                throw malformed("model.end_of_word_suffix is \(quoted(suffix)); CLIP's is \"</w>\"")
                            }
                        case "vocab":
                            sawVocab = true
                            result.vocabulary = try scanner.readVocabulary()
                        case "merges":
                            sawMerges = true
                            result.merges = try readMerges(&scanner, malformed: malformed)
                        default:
                            try scanner.skipValue()
                        }
                    }
                case "added_tokens":
                    if scanner.consumeNull() { return }
                    try scanner.forEachElement { scanner in
                        result.addedTokens.append(try readAddedToken(&scanner, malformed: malformed))
                    }
                default:
                    try scanner.skipValue()
                }
            }
            try scanner.expectEnd()
        } catch let failure as JSONScanner.Failure {
            throw malformed("not valid JSON (\(failure))")
        }
        guard sawModel else { throw malformed("has no \"model\" section") }
        guard sawVocab else { throw malformed("has no model.vocab") }
        guard sawMerges, !result.merges.isEmpty else { throw malformed("has no model.merges") }
        return result
    }

    /// `["a b", …]` or `[["a", "b"], …]`.
    private static func readMerges(_ scanner: inout JSONScanner,
                                   malformed: (String) -> TokenizerError) throws -> [(String, String)] {
        var merges: [(String, String)] = []
        merges.reserveCapacity(50_000)
        try scanner.forEachElement { scanner in
            let index = merges.count
            if scanner.peek() == UInt8(ascii: "[") {
                var parts: [String] = []
                try scanner.forEachElement { scanner in parts.append(try scanner.readStringFast()) }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw malformed("model.merges[\(index)] has \(parts.count) tokens; each merge is a pair such as [\"i\", \"n\"]")
                }
                merges.append((parts[0], parts[1]))
            } else {
                let line = try scanner.readStringFast()
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw malformed("model.merges[\(index)] = \(quoted(line)) is not two tokens separated by one space (e.g. \"i n\")")
                }
                merges.append((String(parts[0]), String(parts[1])))
            }
        }
        return merges
    }

    private static func readAddedToken(_ scanner: inout JSONScanner,
                                       malformed: (String) -> TokenizerError) throws -> CLIPAddedToken {
        var id: Int?, content: String?
        var special = false, normalized = false
        try scanner.forEachMember { scanner, key in
            switch key {
            case "id": id = try scanner.readInt()
            case "content": content = try scanner.readString()
            case "special": special = try scanner.readBool()
            case "normalized": normalized = try scanner.readBool()
            default: try scanner.skipValue()
            }
        }
        guard let id, let content else { throw malformed("an entry of added_tokens lacks \"id\" or \"content\"") }
        return CLIPAddedToken(content: content, id: id, special: special, normalized: normalized)
    }
}

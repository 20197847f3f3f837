/// CLIP's BPE model over the byte-level alphabet: `tokenizers.models.BPE(vocab, merges,
/// continuing_subword_prefix="", end_of_word_suffix="</w>")` as built by transformers 5's
/// `CLIPTokenizer` (and the `bpe` method of the slow tokenizer in transformers 4).
///
/// A word (the UTF-8 bytes of one pre-tokenized piece) starts as one symbol per byte, the last one with
/// `</w>` appended; then the adjacent pair with the lowest merge rank is merged (every occurrence, left
/// to right) until no adjacent pair has a merge. Symbols are vocabulary ids throughout.
struct BytePairEncoding: Sendable {
    struct Merge: Sendable {
        var rank: Int32
        var id: Int32
    }

    static let endOfWordSuffix = "</w>"

    /// Token → id.
    let tokenToID: [String: Int]
    /// id → token; nil for ids the vocabulary skips.
    let idToToken: [String?]
    /// `(left id << 32) | right id` → rank and merged id.
    let merges: [UInt64: Merge]
    /// Vocabulary ids of the 256 byte characters, and of the same followed by `</w>`.
    let byteID: [Int]
    let byteEndID: [Int]
    let cache = BPECache()

    /// - Parameters:
    ///   - vocabulary: token → id, as in `vocab.json`.
    ///   - merges: the merge rules in rank order, as in `merges.txt` (without the `#version` line).
    ///   - vocabularyFile / mergesFile: named in errors.
    ///   - mergeLocation: describes merge `i` for errors, e.g. "line 17".
    init(vocabulary: [String: Int], merges: [(String, String)],
         vocabularyFile: String, mergesFile: String, mergeLocation: (Int) -> String) throws {
        guard !vocabulary.isEmpty else {
            throw TokenizerError(.malformedVocabulary, file: vocabularyFile,
                message: "the vocabulary is empty; re-download the tokenizer files (CLIP has 49,408 tokens)")
        }
        var maxID = 0
        for (token, id) in vocabulary {
            guard id >= 0, id < 1 << 31 else {
                throw TokenizerError(.malformedVocabulary, file: vocabularyFile,
                    message: "token \(quoted(token)) has id \(id); ids must be between 0 and 2^31 - 1")
            }
            maxID = max(maxID, id)
        }
        guard maxID < 16 * vocabulary.count + 1024 else {
            throw TokenizerError(.malformedVocabulary, file: vocabularyFile,
                message: "ids go up to \(maxID) for only \(vocabulary.count) tokens; this is not a BPE vocabulary")
        }
        var reverse = [String?](repeating: nil, count: maxID + 1)
        for (token, id) in vocabulary { reverse[id] = token }

        var byteID = [Int](repeating: -1, count: 256)
        var byteEndID = [Int](repeating: -1, count: 256)
        for b in 0..<256 {
            let c = String(Character(ByteLevel.character[b]))
            guard let id = vocabulary[c], let endID = vocabulary[c + Self.endOfWordSuffix] else {
                let missing = vocabulary[c] == nil ? c : c + Self.endOfWordSuffix
                throw TokenizerError(.malformedVocabulary, file: vocabularyFile,
                    message: "the byte-level token \(quoted(missing)) (byte \(b)) is missing; this is not a CLIP "
                        + "vocabulary (all 256 byte characters, with and without </w>, must be present)")
            }
            byteID[b] = id
            byteEndID[b] = endID
        }

        var table: [UInt64: Merge] = [:]
        table.reserveCapacity(merges.count)
        for rank in 0..<merges.count {
            let (l, r) = merges[rank]
            guard let a = vocabulary[l], let b = vocabulary[r] else {
                let missing = vocabulary[l] == nil ? l : r
                throw TokenizerError(.malformedMerges, file: mergesFile,
                    message: "\(mergeLocation(rank)): the token \(quoted(missing)) is not in the vocabulary (\(vocabularyFile)); "
                        + "vocabulary and merges must come from the same tokenizer")
            }
            guard let merged = vocabulary[l + r] else {
                throw TokenizerError(.malformedMerges, file: mergesFile,
                    message: "\(mergeLocation(rank)): the merged token \(quoted(l + r)) is not in the vocabulary "
                        + "(\(vocabularyFile)); vocabulary and merges must come from the same tokenizer")
            }
            // A repeated pair keeps its last rank, as in `tokenizers` (a HashMap built in order) and in
            // the slow tokenizer (`dict(zip(merges, range(...)))`).
            table[UInt64(a) << 32 | UInt64(b)] = Merge(rank: Int32(rank), id: Int32(merged))
        }

        self.tokenToID = vocabulary
        self.idToToken = reverse
        self.merges = table
        self.byteID = byteID
        self.byteEndID = byteEndID
    }

    var count: Int { tokenToID.count }

    /// The ids of one pre-tokenized piece (given as text; its UTF-8 bytes are encoded).
    func encode(word: String) -> [Int] {
        if let cached = cache.value(for: word) { return cached }
        let bytes = Array(word.utf8)
        guard !bytes.isEmpty else { return [] }
        var ids = [Int]()
        ids.reserveCapacity(bytes.count)
        for (i, b) in bytes.enumerated() {
            ids.append(i == bytes.count - 1 ? byteEndID[Int(b)] : byteID[Int(b)])
        }
        var next = [Int]()
        next.reserveCapacity(ids.count)
        while ids.count > 1 {
            var best: Merge? = nil
            var bestPair: (Int, Int) = (0, 0)
            for i in 0..<(ids.count - 1) {
                if let m = merges[UInt64(ids[i]) << 32 | UInt64(ids[i + 1])], m.rank < (best?.rank ?? .max) {
                    best = m
                    bestPair = (ids[i], ids[i + 1])
                }
            }
            guard let merge = best else { break }
            next.removeAll(keepingCapacity: true)
            var i = 0
            while i < ids.count {
                if i + 1 < ids.count, ids[i] == bestPair.0, ids[i + 1] == bestPair.1 {
                    next.append(Int(merge.id))
                    i += 2
                } else {
                    next.append(ids[i])
                    i += 1
                }
            }
            swap(&ids, &next)
        }
        cache.store(ids, for: word)
        return ids
    }
}

/// `"text"` with control characters escaped, for error messages.
func quoted(_ text: some StringProtocol) -> String {
    var s = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": s += "\\\""
        case "\\": s += "\\\\"
        case "\n": s += "\\n"
        case "\t": s += "\\t"
        case "\r": s += "\\r"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                s += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                s.unicodeScalars.append(scalar)
            }
        }
    }
    return s + "\""
}

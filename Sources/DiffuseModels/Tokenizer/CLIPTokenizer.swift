import DiffuseCore
/// The CLIP tokenizer of Stable Diffusion 1.x / 2.x: gives the same ids as transformers 5's
/// `CLIPTokenizer` (`transformers/models/clip/tokenization_clip.py`, backed by `tokenizers`) for any
/// text, which is what diffusers' pipelines use.
///
/// Steps, in transformers' order:
/// 1. added tokens with `normalized=False` (SD 1's `<|startoftext|>` / `<|endoftext|>`, SD 2's pad `!`)
///    are cut out of the raw text and become their ids;
/// 2. the rest is normalized: NFC, whitespace runs → one space, lower-case (`CLIPPreTokenizer.normalize`);
/// 3. added tokens with `normalized=True` are cut out of the normalized text;
/// 4. CLIP's regex splits the rest into pieces, whitespace is dropped (`CLIPPreTokenizer.split`);
/// 5. each piece's UTF-8 bytes go through byte-level BPE with `</w>` on the last symbol
///    (`BytePairEncoding`), with a cache of words already seen.
///
/// Notes on matching transformers 5 (checked against it, see the tests):
/// - SD 2's pad token `!` is a special added token, so every `!` in a prompt is id 0 on its own:
///   `"world!!!"` → `[world, 0, 0, 0]` for SD 2 but `[world, !!!</w>]` for SD 1.
/// - No html-unescaping or `ftfy` clean-up (OpenAI's original tokenizer does that; transformers' does not).
/// - NFC: a decomposed `é` gives the same ids as the composed one.
///
/// Load with `CLIPTokenizer(folder:)` from a diffusers `tokenizer/` folder.
public struct CLIPTokenizer: Sendable {
    let bpe: BytePairEncoding
    /// Added tokens matched in the raw text / in the normalized text.
    let rawSplitter: AddedTokenSplitter
    let normalizedSplitter: AddedTokenSplitter
    /// Every added token by id (for decoding).
    let addedByID: [Int: CLIPAddedToken]

    public let bosToken: String
    public let eosToken: String
    public let unkToken: String
    public let padToken: String
    /// 49406 for CLIP.
    public let bosTokenID: Int
    /// 49407 for CLIP.
    public let eosTokenID: Int
    public let unkTokenID: Int
    /// 49407 (`<|endoftext|>`) for SD 1, 0 (`!`) for SD 2.
    public let padTokenID: Int
    /// Padded length of `callAsFunction` (`model_max_length`, 77 for SD).
    public let maxLength: Int
    /// The added tokens (special tokens first), as resolved from the folder.
    public let addedTokens: [CLIPAddedToken]

    /// Builds a tokenizer from a BPE model and resolved added tokens; see `CLIPTokenizer+Loading.swift`.
    init(bpe: BytePairEncoding, addedTokens: [CLIPAddedToken],
         special: (bos: CLIPAddedToken, eos: CLIPAddedToken, unk: CLIPAddedToken, pad: CLIPAddedToken),
         maxLength: Int) {
        self.bpe = bpe
        self.addedTokens = addedTokens
        rawSplitter = AddedTokenSplitter(addedTokens.filter { !$0.normalized }.map { ($0.content, $0.id) })
        normalizedSplitter = AddedTokenSplitter(addedTokens.filter { $0.normalized }.map {
            (CLIPPreTokenizer.normalize($0.content), $0.id)
        })
        var byID: [Int: CLIPAddedToken] = [:]
        for t in addedTokens { byID[t.id] = t }
        addedByID = byID
        bosToken = special.bos.content
        eosToken = special.eos.content
        unkToken = special.unk.content
        padToken = special.pad.content
        bosTokenID = special.bos.id
        eosTokenID = special.eos.id
        unkTokenID = special.unk.id
        padTokenID = special.pad.id
        self.maxLength = maxLength
    }

    /// Number of tokens in the BPE vocabulary (49,408 for CLIP).
    public var vocabularySize: Int { bpe.count }

    /// The id of `token` (a vocabulary entry such as `"cat</w>"`, or an added token).
    public func id(for token: String) -> Int? {
        bpe.tokenToID[token] ?? addedTokens.last(where: { $0.content == token })?.id
    }

    /// The token string of `id`, or nil for an id outside the vocabulary.
    public func token(for id: Int) -> String? {
        if let added = addedByID[id] { return added.content }
        return id >= 0 && id < bpe.idToToken.count ? bpe.idToToken[id] : nil
    }

    // MARK: Encoding

    /// The ids of `text` without `<|startoftext|>` / `<|endoftext|>`, padding or truncation:
    /// `tokenizer(text, add_special_tokens=False).input_ids`.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        for raw in rawSplitter.split(text) {
            switch raw {
            case let .token(id):
                ids.append(id)
            case let .text(rawText):
                for part in normalizedSplitter.split(CLIPPreTokenizer.normalize(rawText)) {
                    switch part {
                    case let .token(id):
                        ids.append(id)
                    case let .text(normalized):
                        for piece in CLIPPreTokenizer.split(normalized) {
                            ids.append(contentsOf: bpe.encode(word: piece))
                        }
                    }
                }
            }
        }
        return ids
    }

    /// `text` as the text encoder takes it: `maxLength` ids, `<|startoftext|>` first, then the prompt's
    /// tokens (at most `maxLength - 2`), `<|endoftext|>`, then the pad id. As diffusers:
    /// `tokenizer(text, padding="max_length", max_length=77, truncation=True)`.
    public func callAsFunction(_ text: String) -> TokenizedPrompt {
        tokenize(text, maxLength: maxLength)
    }

    /// As `callAsFunction`, with another padded length (at least 2).
    public func tokenize(_ text: String, maxLength: Int) -> TokenizedPrompt {
        require(maxLength >= 2, "maxLength must leave room for <|startoftext|> and <|endoftext|>")
        let content = encode(text)
        let room = maxLength - 2
        let kept = content.prefix(room)
        let dropped = content.dropFirst(room)
        var ids = [bosTokenID]
        ids.reserveCapacity(maxLength)
        ids.append(contentsOf: kept)
        ids.append(eosTokenID)
        let tokenCount = ids.count
        ids.append(contentsOf: repeatElement(padTokenID, count: maxLength - tokenCount))
        return TokenizedPrompt(ids: ids, tokenCount: tokenCount, droppedTokenCount: dropped.count,
                               droppedText: dropped.isEmpty ? "" : decode(Array(dropped)))
    }

    /// `<|startoftext|>` + `encode(text)` + `<|endoftext|>`, no padding or truncation:
    /// `tokenizer(text).input_ids`.
    public func unpaddedIDs(_ text: String) -> [Int] {
        [bosTokenID] + encode(text) + [eosTokenID]
    }

    // MARK: Decoding

    /// The text of `ids`, as transformers' `tokenizer.decode(ids, skip_special_tokens=…)`: tokens are
    /// joined, byte characters turned back into UTF-8 (invalid sequences → U+FFFD), each `</w>` becomes
    /// a space and the ends are stripped. Ids outside the vocabulary are skipped. Word boundaries come back
    /// as spaces: `decode(encode("a, b"))` is `"a , b"`, as in transformers 5 (which no longer applies
    /// `clean_up_tokenization_spaces` to BPE tokenizers).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            let token: String
            if let added = addedByID[id] {
                if skipSpecialTokens && added.special { continue }
                token = added.content
            } else if id >= 0, id < bpe.idToToken.count, let t = bpe.idToToken[id] {
                token = t
            } else {
                continue
            }
            if let b = ByteLevel.bytes(of: token) {
                bytes.append(contentsOf: b)
            } else {
                bytes.append(contentsOf: token.utf8)
            }
        }
        // `</w>` → space on the bytes: String's `replacing` works on grapheme clusters and would miss a
        // `</w>` whose `>` is followed by a combining mark.
        return Self.pythonStrip(String(decoding: Self.replacingEndOfWord(bytes), as: UTF8.self))
    }

    /// `bytes` with every `</w>` replaced by one space (ASCII, so the same as on the decoded text).
    static func replacingEndOfWord(_ bytes: [UInt8]) -> [UInt8] {
        let suffix = Array(BytePairEncoding.endOfWordSuffix.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == suffix[0], bytes[i...].starts(with: suffix) {
                out.append(UInt8(ascii: " "))
                i += suffix.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// Python's `str.strip()`: removes leading and trailing whitespace as `str.isspace` defines it
    /// (White_Space plus U+001C…U+001F).
    static func pythonStrip(_ text: String) -> String {
        func isSpace(_ c: Unicode.Scalar) -> Bool {
            c.properties.isWhitespace || (0x1C...0x1F).contains(c.value)
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}

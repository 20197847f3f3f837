#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension CLIPTokenizer {
    /// Loads the tokenizer of a diffusers `tokenizer/` folder.
    ///
    /// - Vocabulary and merges from `tokenizer.json` when present (what transformers 5 writes, and what
    ///   it reads first), else from `vocab.json` + `merges.txt` (SD 1.5 / 2.1 repositories).
    /// - Special tokens, pad token and `model_max_length` from `tokenizer_config.json`; without that
    ///   file transformers' defaults (`<|endoftext|>` padding, 77).
    /// - `maxLength` overrides the padded length (default: `model_max_length`, else 77).
    ///
    /// Throws `TokenizerError` naming the file for missing or malformed files and unknown special tokens,
    /// and `ConfigError` for an undecodable or unsupported `tokenizer_config.json`.
    public init(folder: String, maxLength: Int? = nil) throws {
        try self.init(files: Files.find(in: folder), maxLength: maxLength)
    }

    /// Loads the tokenizer from explicit files (see `init(folder:maxLength:)`).
    public init(files: Files, maxLength: Int? = nil) throws {
        var config = CLIPTokenizerConfig()
        var configData: Data? = nil
        if let path = files.config {
            let data = try Self.read(path)
            config = try CLIPTokenizerConfig(jsonData: data, file: path)
            try config.validateSupported()
            configData = data
        }
        let configName = files.config ?? "tokenizer_config.json"

        let bpe: BytePairEncoding
        var fileAddedTokens: [CLIPAddedToken] = []
        if let path = files.tokenizerJSON {
            let parsed = try TokenizerJSON.parse(Self.read(path), file: path)
            bpe = try BytePairEncoding(vocabulary: parsed.vocabulary, merges: parsed.merges,
                                       vocabularyFile: path + " (model.vocab)", mergesFile: path,
                                       mergeLocation: { "model.merges[\($0)]" })
            fileAddedTokens = parsed.addedTokens
        } else if let vocabPath = files.vocab, let mergesPath = files.merges {
            let vocabulary = try Self.parseVocabulary(Self.read(vocabPath), file: vocabPath)
            let (merges, lines) = try Self.parseMerges(Self.read(mergesPath), file: mergesPath)
            bpe = try BytePairEncoding(vocabulary: vocabulary, merges: merges,
                                       vocabularyFile: vocabPath, mergesFile: mergesPath,
                                       mergeLocation: { "line \(lines[$0])" })
        } else {
            throw TokenizerError(.missingFiles, file: files.vocab ?? files.merges ?? "tokenizer",
                message: "needs vocab.json and merges.txt, or tokenizer.json; download the model's whole tokenizer/ folder")
        }

        // Added tokens, later entries overriding earlier ones with the same content (as transformers 5
        // does): tokenizer.json's list, then bos / eos / unk / pad from the config, then the config's
        // added_tokens_decoder.
        let objectKeys = configData.map(SpecialTokenObjects.keys(in:)) ?? []
        var resolved: [String: CLIPAddedToken] = [:]
        var order: [String] = []
        func add(_ token: CLIPAddedToken) {
            if resolved[token.content] == nil { order.append(token.content) }
            resolved[token.content] = token
        }
        fileAddedTokens.forEach(add)
        let specials: [(key: String, token: AddedToken)] = [
            ("bos_token", config.bosToken), ("eos_token", config.eosToken),
            ("unk_token", config.unkToken), ("pad_token", config.padToken),
        ]
        let decoderEntries = (config.addedTokensDecoder ?? [:]).compactMap { key, token in Int(key).map { ($0, token) } }
            .sorted { $0.0 < $1.0 }
        for (key, token) in specials {
            let id = bpe.tokenToID[token.content]
                ?? decoderEntries.first(where: { $0.1.content == token.content })?.0
                ?? fileAddedTokens.first(where: { $0.content == token.content })?.id
            guard let id else {
                let role = key == "pad_token"
                    ? "Use the pad token of the model's own tokenizer_config.json (SD 1: \"<|endoftext|>\", SD 2: \"!\")"
                    : "CLIP uses \"<|startoftext|>\" and \"<|endoftext|>\""
                throw TokenizerError(.unknownSpecialToken, file: configName,
                    message: "\(key) \(quoted(token.content)) is not in the vocabulary (\(files.tokenizerJSON ?? files.vocab ?? "vocab.json")); "
                        + "transformers would give it a new id that the text encoder has no embedding for. \(role).")
            }
            // A bare string (or a missing key) is normalized=False in transformers 5; an AddedToken object
            // keeps its flag.
            let normalized = objectKeys.contains(key) ? token.normalized : false
            add(CLIPAddedToken(content: token.content, id: id, special: token.special ?? true, normalized: normalized))
        }
        for (id, token) in decoderEntries {
            add(CLIPAddedToken(content: token.content, id: id, special: token.special ?? false, normalized: token.normalized))
        }
        let added = order.compactMap { resolved[$0] }
        func resolvedToken(_ t: AddedToken) -> CLIPAddedToken { resolved[t.content]! }

        let length = maxLength ?? config.maxLength(textEncoder: nil)
        guard length >= 2 else {
            throw TokenizerError(.invalidConfig, file: configName,
                message: "maxLength \(length) leaves no room for <|startoftext|> and <|endoftext|> (SD uses 77)")
        }
        self.init(bpe: bpe, addedTokens: added,
                  special: (resolvedToken(config.bosToken), resolvedToken(config.eosToken),
                            resolvedToken(config.unkToken), resolvedToken(config.padToken)),
                  maxLength: length)
    }
}

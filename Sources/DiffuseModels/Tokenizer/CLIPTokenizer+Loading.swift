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

extension CLIPTokenizer {
    /// The files of a tokenizer folder (absolute paths; nil when absent). The same search as
    /// DiffusePipeline's `TokenizerFiles`, kept here because the tokenizer cannot import the pipeline.
    public struct Files: Sendable, Equatable {
        public var vocab: String?
        public var merges: String?
        public var tokenizerJSON: String?
        /// `tokenizer_config.json`: special tokens, pad token, `model_max_length`.
        public var config: String?

        public init(vocab: String? = nil, merges: String? = nil, tokenizerJSON: String? = nil, config: String? = nil) {
            self.vocab = vocab
            self.merges = merges
            self.tokenizerJSON = tokenizerJSON
            self.config = config
        }

        /// The files present in `folder`. Throws `missingFiles` when it has neither `vocab.json` +
        /// `merges.txt` nor `tokenizer.json`.
        public static func find(in folder: String) throws -> Files {
            func file(_ name: String) -> String? {
                let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
                var isDirectory = false
                return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory ? path : nil
            }
            let files = Files(vocab: file("vocab.json"), merges: file("merges.txt"),
                              tokenizerJSON: file("tokenizer.json"), config: file("tokenizer_config.json"))
            guard files.tokenizerJSON != nil || (files.vocab != nil && files.merges != nil) else {
                var isDirectory = false
                let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory
                let found = [files.vocab, files.merges].compactMap { $0.map { String($0.split(separator: "/").last!) } }
                throw TokenizerError(.missingFiles, file: folder, message: exists
                    ? "not a complete tokenizer folder: needs vocab.json and merges.txt, or tokenizer.json"
                        + (found.isEmpty ? " (found neither)" : " (found only \(found.joined(separator: ", ")))")
                        + "; download the model's whole tokenizer/ folder"
                    : "the tokenizer folder does not exist; pass the model's tokenizer/ folder")
            }
            return files
        }
    }

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

    // MARK: Files

    static func read(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizerError(.unreadable, file: path,
                message: "cannot read the file (\(error)); check that it exists and is readable")
        }
    }

    /// `vocab.json`: one JSON object of token → integer id.
    static func parseVocabulary(_ data: Data, file: String) throws -> [String: Int] {
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

/// Which special-token keys of `tokenizer_config.json` hold `AddedToken` objects rather than bare strings
/// (transformers 5 makes bare strings `normalized=False`); `CLIPTokenizerConfig` decodes both forms into
/// `AddedToken` and forgets which.
enum SpecialTokenObjects {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct Forms: Decodable {
        var objects: Set<String> = []
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            for name in ["bos_token", "eos_token", "unk_token", "pad_token"] {
                if (try? c.nestedContainer(keyedBy: Key.self, forKey: Key(stringValue: name))) != nil { objects.insert(name) }
            }
        }
    }

    static func keys(in data: Data) -> Set<String> {
        (try? JSONDecoder().decode(Forms.self, from: data).objects) ?? []
    }
}

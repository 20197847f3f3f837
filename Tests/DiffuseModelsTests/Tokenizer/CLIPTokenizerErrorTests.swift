#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseModels
import DiffuseTestSupport

/// Broken folders give a `TokenizerError` naming the file and what to do.
@Suite("CLIP tokenizer: loading errors")
struct CLIPTokenizerErrorTests {
    /// A folder with the fixture vocab/merges and SD 1's config, then `edit` applied.
    func folder(_ edit: (TempDirectory) throws -> Void) throws -> TempDirectory {
        let dir = try TempDirectory()
        try dir.copyFixture("tokenizer/vocab.json", to: "vocab.json")
        try dir.copyFixture("tokenizer/merges.txt", to: "merges.txt")
        try dir.copyFixture("tiny-sd1/tokenizer/tokenizer_config.json", to: "tokenizer_config.json")
        try edit(dir)
        return dir
    }

    func loadError(_ dir: TempDirectory) -> TokenizerError? {
        let path = dir.path
        return tokenizerError { _ = try CLIPTokenizer(folder: path) }
    }

    static let mergesText: String = String(decoding: try! Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("tokenizer/merges.txt"))), as: UTF8.self)

    @Test func missingFiles() throws {
        let dir = try folder { try FileManager.default.removeItem(atPath: $0.path + "/merges.txt") }
        let error = try #require(loadError(dir))
        #expect(error.kind == .missingFiles)
        #expect(error.file == dir.path)
        #expect(error.description.contains("merges.txt"))
        #expect(error.description.contains("found only vocab.json"))

        let missing = tokenizerError { _ = try CLIPTokenizer(folder: "/nonexistent/tokenizer") }
        #expect(missing?.kind == .missingFiles)
        #expect(missing?.description.contains("does not exist") == true)
    }

    @Test func vocabularyNotJSON() throws {
        let dir = try folder { try $0.write("{\"a\": 1, \"b\": ", to: "vocab.json") }
        let error = try #require(loadError(dir))
        #expect(error.kind == .malformedVocabulary)
        #expect(error.file.hasSuffix("/vocab.json"))
        #expect(error.description.contains("re-download vocab.json"))
    }

    @Test func vocabularyWithNonIntegerIDs() throws {
        let dir = try folder { try $0.write("{\"a\": \"1\"}", to: "vocab.json") }
        #expect(loadError(dir)?.kind == .malformedVocabulary)
        let fractional = try folder { try $0.write("{\"a\": 1.5}", to: "vocab.json") }
        #expect(loadError(fractional)?.description.contains("fractional") == true)
        let negative = try folder { try $0.write("{\"a\": -3}", to: "vocab.json") }
        #expect(loadError(negative)?.description.contains("-3") == true)
    }

    @Test func vocabularyThatIsNotByteLevel() throws {
        let dir = try folder { try $0.write("{\"a\": 0, \"b\": 1}", to: "vocab.json") }
        let error = try #require(loadError(dir))
        #expect(error.kind == .malformedVocabulary)
        #expect(error.description.contains("not a CLIP vocabulary"))
    }

    @Test func malformedMergesLine() throws {
        var lines = Self.mergesText.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[16] = "abc"   // line 17
        let dir = try folder { try $0.write(lines.joined(separator: "\n"), to: "merges.txt") }
        let error = try #require(loadError(dir))
        #expect(error.kind == .malformedMerges)
        #expect(error.file.hasSuffix("/merges.txt"))
        #expect(error.description.contains("line 17"))
        #expect(error.description.contains("\"abc\""))
    }

    @Test func mergesWithUnknownTokens() throws {
        let dir = try folder { try $0.write("#version: 0.2\ni n\nxyz q\n", to: "merges.txt") }
        let error = try #require(loadError(dir))
        #expect(error.kind == .malformedMerges)
        #expect(error.description.contains("line 3"))
        #expect(error.description.contains("\"xyz\" is not in the vocabulary"))
    }

    @Test func emptyMerges() throws {
        let dir = try folder { try $0.write("#version: 0.2\n", to: "merges.txt") }
        #expect(loadError(dir)?.kind == .malformedMerges)
    }

    @Test func mergesWithCRLFAreAccepted() throws {
        let dir = try folder { try $0.write(Self.mergesText.replacing("\n", with: "\r\n"), to: "merges.txt") }
        let tokenizer = try CLIPTokenizer(folder: dir.path)
        #expect(tokenizer.encode("a photo of a cat") == [320, 1125, 539, 320, 2368])
    }

    @Test func unknownPadToken() throws {
        let dir = try folder { try $0.write("{\"pad_token\": \"<pad>\", \"model_max_length\": 77}", to: "tokenizer_config.json") }
        let error = try #require(loadError(dir))
        #expect(error.kind == .unknownSpecialToken)
        #expect(error.file.hasSuffix("/tokenizer_config.json"))
        #expect(error.description.contains("pad_token \"<pad>\" is not in the vocabulary"))
        #expect(error.description.contains("SD 2: \"!\""))
    }

    @Test func padTokenFromAddedTokensDecoderIsAccepted() throws {
        let dir = try folder {
            try $0.write("""
                {"pad_token": "<pad>", "added_tokens_decoder": {"49408": {"content": "<pad>", "lstrip": false,
                 "normalized": false, "rstrip": false, "single_word": false, "special": true}}}
                """, to: "tokenizer_config.json")
        }
        let tokenizer = try CLIPTokenizer(folder: dir.path)
        #expect(tokenizer.padTokenID == 49408)
        #expect(tokenizer.encode("a <pad> b") == [320, 49408, 321])
    }

    @Test func configErrorsNameTheConfig() throws {
        let dir = try folder { try $0.write("{\"tokenizer_class\": \"T5Tokenizer\"}", to: "tokenizer_config.json") }
        let path = dir.path
        do {
            _ = try CLIPTokenizer(folder: path)
            Issue.record("expected an error")
        } catch let error as ConfigError {
            #expect(error.kind == .unsupported)
            #expect(error.file.hasSuffix("/tokenizer_config.json"))
        }
        let broken = try folder { try $0.write("{", to: "tokenizer_config.json") }
        let brokenPath = broken.path
        #expect(throws: ConfigError.self) { _ = try CLIPTokenizer(folder: brokenPath) }
    }

    @Test func tokenizerJSONErrors() throws {
        let dir = try TempDirectory()
        let path = dir.path
        try dir.write("{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}", to: "tokenizer.json")
        var error = tokenizerError { _ = try CLIPTokenizer(folder: path) }
        #expect(error?.kind == .malformedTokenizerJSON)
        #expect(error?.file.hasSuffix("/tokenizer.json") == true)
        #expect(error?.description.contains("WordPiece") == true)

        try dir.write("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}}", to: "tokenizer.json")
        error = tokenizerError { _ = try CLIPTokenizer(folder: path) }
        #expect(error?.description.contains("no model.merges") == true)

        try dir.write("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": [[\"a\"]]}}", to: "tokenizer.json")
        error = tokenizerError { _ = try CLIPTokenizer(folder: path) }
        #expect(error?.description.contains("model.merges[0]") == true)

        try dir.write("[1, 2", to: "tokenizer.json")
        error = tokenizerError { _ = try CLIPTokenizer(folder: path) }
        #expect(error?.kind == .malformedTokenizerJSON)
        #expect(error?.description.contains("not valid JSON") == true)
    }

    /// Unknown sections are skipped without recursion (issue #20: a file nested a million levels deep
    /// overflowed the stack): nesting up to the bound is skipped and the rest of the file read; deeper is
    /// one error naming the depth.
    @Test func deeplyNestedSectionsAreSkippedOrRefused() throws {
        let dir = try TempDirectory()
        let path = dir.path
        func file(depth: Int) -> String {
            let nested = String(repeating: "[{\"k\": ", count: depth) + "1" + String(repeating: "}]", count: depth)
            return "{\"extra\": \(nested), \"model\": {\"type\": \"BPE\", \"skip\": [[], {}, \"x\", -1.5e3, true, null],"
                + " \"vocab\": {\"a\": 0}}}"
        }
        try dir.write(file(depth: 200), to: "tokenizer.json")           // 400 containers, within the bound
        var error = tokenizerError { _ = try CLIPTokenizer(folder: path) }
        #expect(error?.description.contains("no model.merges") == true, "\(String(describing: error))")
        try dir.write(file(depth: 1_000_000), to: "tokenizer.json")
        error = tokenizerError { _ = try CLIPTokenizer(folder: path) }
        #expect(error?.kind == .malformedTokenizerJSON)
        #expect(error?.description.contains("nested deeper than 512 levels") == true, "\(String(describing: error))")
    }

    @Test func escapedVocabularyIsRead() throws {
        // Same vocabulary with every non-ASCII character written as \u escapes (Python's ensure_ascii).
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("tokenizer/vocab.json"))), as: UTF8.self)
        var escaped = ""
        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                escaped.unicodeScalars.append(scalar)
            } else {
                for unit in String(scalar).utf16 {
                    let hex = String(unit, radix: 16)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
            }
        }
        let dir = try folder { try $0.write(escaped, to: "vocab.json") }
        let tokenizer = try CLIPTokenizer(folder: dir.path)
        for c in TokenizerExpectation.all.prefix(30) {
            #expect(tokenizer.unpaddedIDs(c.text) == c.sd1, "\(c.name)")
        }
    }
}

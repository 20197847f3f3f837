#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseModels
import DiffuseTestSupport

/// Folder layouts (vocab.json + merges.txt, tokenizer.json alone) and loading errors.
@Suite("CLIP tokenizer: loading")
struct CLIPTokenizerLoadingTests {
    static let sd1Config = "tiny-sd1/tokenizer/tokenizer_config.json"
    static let sd2Config = "tiny-sd2/tokenizer/tokenizer_config.json"

    /// A folder with only tokenizer.json (+ tokenizer_config.json), as transformers 5 saves it.
    func tokenizerJSONFolder(config: String, pairs: Bool, sd2: Bool) throws -> TempDirectory {
        let dir = try TempDirectory()
        var added: [(id: Int, content: String, normalized: Bool)] = []
        if sd2 { added.append((0, "!", false)) }
        added += [(49406, "<|startoftext|>", sd2), (49407, "<|endoftext|>", sd2)]
        try dir.write(makeTokenizerJSON(pairs: pairs, addedTokens: added), to: "tokenizer.json")
        try dir.copyFixture(config, to: "tokenizer_config.json")
        return dir
    }

    @Test(arguments: [true, false])
    func tokenizerJSONOnlyFolderGivesTheSameIDs(pairs: Bool) throws {
        for (family, config, sd2) in [("tiny-sd1", Self.sd1Config, false), ("tiny-sd2", Self.sd2Config, true)] {
            let dir = try tokenizerJSONFolder(config: config, pairs: pairs, sd2: sd2)
            let files = try CLIPTokenizer.Files.find(in: dir.path)
            #expect(files.vocab == nil && files.merges == nil && files.tokenizerJSON != nil)
            let tokenizer = try CLIPTokenizer(folder: dir.path)
            #expect(tokenizer.vocabularySize == 49408)
            #expect(tokenizer.padTokenID == (sd2 ? 0 : 49407))
            for c in TokenizerFixtureCase.all where c.family == family {
                #expect(tokenizer(c.prompt).ids == c.padded, "\(c.testDescription)")
                #expect(tokenizer.unpaddedIDs(c.prompt) == c.unpadded, "\(c.testDescription)")
            }
            for c in TokenizerExpectation.all.prefix(40) {
                #expect(tokenizer.unpaddedIDs(c.text) == (sd2 ? c.sd2 : c.sd1), "\(c.name)")
            }
        }
    }

    @Test func filesAreFound() throws {
        let files = try CLIPTokenizer.Files.find(in: FixturePaths.path("tiny-sd1/tokenizer"))
        #expect(files.vocab?.hasSuffix("/vocab.json") == true)
        #expect(files.merges?.hasSuffix("/merges.txt") == true)
        #expect(files.config?.hasSuffix("/tokenizer_config.json") == true)
        #expect(files.tokenizerJSON == nil)
    }

    @Test func folderWithoutConfigUsesTransformersDefaults() throws {
        let dir = try TempDirectory()
        try dir.copyFixture("tokenizer/vocab.json", to: "vocab.json")
        try dir.copyFixture("tokenizer/merges.txt", to: "merges.txt")
        let tokenizer = try CLIPTokenizer(folder: dir.path)
        #expect(tokenizer.padTokenID == 49407)
        #expect(tokenizer.maxLength == 77)
        #expect(tokenizer("a photo of a cat").ids == FixtureTokenizers.sd1("a photo of a cat").ids)
        let short = try CLIPTokenizer(folder: dir.path, maxLength: 8)
        #expect(short("a photo of a cat").ids == [49406, 320, 1125, 539, 320, 2368, 49407, 49407])
    }

    /// SD 1.5's hub config: bos/eos/unk as AddedToken objects with normalized=true, pad a bare string.
    /// transformers 5 then matches `<|StartOfText|>` after lower-casing, but not `<|ENDOFTEXT|>` (the
    /// bare pad string, read last, makes `<|endoftext|>` normalized=false).
    @Test func addedTokenObjectsFromHubConfig() throws {
        let dir = try TempDirectory()
        try dir.copyFixture("tokenizer/vocab.json", to: "vocab.json")
        try dir.copyFixture("tokenizer/merges.txt", to: "merges.txt")
        func object(_ content: String) -> String {
            "{\"__type\": \"AddedToken\", \"content\": \"\(content)\", \"lstrip\": false, \"normalized\": true, \"rstrip\": false, \"single_word\": false}"
        }
        try dir.write("""
            {"add_prefix_space": false, "bos_token": \(object("<|startoftext|>")), "do_lower_case": true,
             "eos_token": \(object("<|endoftext|>")), "errors": "replace", "model_max_length": 77,
             "pad_token": "<|endoftext|>", "tokenizer_class": "CLIPTokenizer", "unk_token": \(object("<|endoftext|>"))}
            """, to: "tokenizer_config.json")
        let tokenizer = try CLIPTokenizer(folder: dir.path)
        // transformers 5.24: [49406, 320, 27, 347, 40786, 4160, 91, 285, 321, 49406, 49407]
        #expect(tokenizer.unpaddedIDs("a <|ENDOFTEXT|>b <|StartOfText|>") == [49406, 320, 27, 347, 40786, 4160, 91, 285, 321, 49406, 49407])
        #expect(tokenizer.addedTokens.first { $0.id == 49406 }?.normalized == true)
        #expect(tokenizer.addedTokens.first { $0.id == 49407 }?.normalized == false)
    }
}

extension CLIPTokenizerLoadingTests {
    /// With both layouts present, tokenizer.json is read (as transformers 5 does): a broken
    /// tokenizer.json next to good vocab.json + merges.txt is reported.
    @Test func tokenizerJSONIsPreferred() throws {
        let dir = try TempDirectory()
        try dir.copyFixture("tokenizer/vocab.json", to: "vocab.json")
        try dir.copyFixture("tokenizer/merges.txt", to: "merges.txt")
        try dir.write("{\"model\": {}}", to: "tokenizer.json")
        let path = dir.path
        let error = tokenizerError { _ = try CLIPTokenizer(folder: path) }
        #expect(error?.kind == .malformedTokenizerJSON)
        #expect(error?.file.hasSuffix("/tokenizer.json") == true)
    }
}

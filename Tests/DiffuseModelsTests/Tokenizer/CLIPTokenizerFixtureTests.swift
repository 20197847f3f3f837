import Testing
import DiffuseModels
import DiffuseTestSupport

/// Every prompt of `Fixtures/tiny-sd{1,2}/prompts.json` against transformers' ids in
/// `reference.safetensors` (`tokens.<case>` padded + truncated, `tokens_unpadded.<case>`).
@Suite("CLIP tokenizer: fixture prompts")
struct CLIPTokenizerFixtureTests {
    @Test func fixturesArePresent() {
        #expect(TokenizerFixtureCase.all.count == 26)
    }

    @Test(arguments: TokenizerFixtureCase.all)
    func paddedIDs(_ c: TokenizerFixtureCase) {
        let tokenizer = FixtureTokenizers.tokenizer(c.family)
        let prompt = tokenizer(c.prompt)
        #expect(prompt.ids == c.padded)
        #expect(prompt.ids.count == 77)
    }

    @Test(arguments: TokenizerFixtureCase.all)
    func unpaddedIDs(_ c: TokenizerFixtureCase) {
        let tokenizer = FixtureTokenizers.tokenizer(c.family)
        #expect(tokenizer.unpaddedIDs(c.prompt) == c.unpadded)
        #expect(tokenizer.encode(c.prompt) == Array(c.unpadded.dropFirst().dropLast()))
    }

    @Test func specialTokenIDs() {
        for tokenizer in [FixtureTokenizers.sd1, FixtureTokenizers.sd2] {
            #expect(tokenizer.bosTokenID == 49406)
            #expect(tokenizer.eosTokenID == 49407)
            #expect(tokenizer.unkTokenID == 49407)
            #expect(tokenizer.maxLength == 77)
            #expect(tokenizer.vocabularySize == 49408)
        }
        #expect(FixtureTokenizers.sd1.padTokenID == 49407)
        #expect(FixtureTokenizers.sd1.padToken == "<|endoftext|>")
        #expect(FixtureTokenizers.sd2.padTokenID == 0)
        #expect(FixtureTokenizers.sd2.padToken == "!")
    }

    @Test func sd2PadsWithExclamationMark() {
        let prompt = FixtureTokenizers.sd2("a photo of a cat")
        #expect(Array(prompt.ids.prefix(7)) == [49406, 320, 1125, 539, 320, 2368, 49407])
        #expect(prompt.ids.dropFirst(7).allSatisfy { $0 == 0 })
        #expect(prompt.tokenCount == 7)
        #expect(prompt.attentionMask == Array(repeating: 1, count: 7) + Array(repeating: 0, count: 70))
        let sd1 = FixtureTokenizers.sd1("a photo of a cat")
        #expect(sd1.ids.dropFirst(7).allSatisfy { $0 == 49407 })
    }

    @Test func emptyPrompt() {
        let prompt = FixtureTokenizers.sd1("")
        #expect(prompt.ids == [49406] + Array(repeating: 49407, count: 76))
        #expect(prompt.tokenCount == 2)
        #expect(!prompt.wasTruncated)
        #expect(prompt.truncationWarning == nil)
        #expect(FixtureTokenizers.sd1.encode("") == [])
        #expect(FixtureTokenizers.sd1.encode(" \t\n ") == [])
    }

    @Test func longPromptTruncatesAndReportsDroppedTokens() throws {
        let long = try #require(TokenizerFixtureCase.all.first { $0.family == "tiny-sd1" && $0.name == "long" })
        let tokenizer = FixtureTokenizers.sd1
        let prompt = tokenizer(long.prompt)
        #expect(long.unpadded.count == 97)
        // BOS + first 75 + EOS.
        #expect(prompt.ids == Array(long.unpadded.prefix(76)) + [49407])
        #expect(prompt.tokenCount == 77)
        #expect(prompt.wasTruncated)
        #expect(prompt.droppedTokenCount == 97 - 77)
        // diffusers: tokenizer.batch_decode(untruncated_ids[:, 76:-1]).
        let dropped = Array(long.unpadded[76..<(long.unpadded.count - 1)])
        #expect(prompt.droppedText == tokenizer.decode(dropped))
        // transformers: tokenizer.batch_decode([ids[76:-1]])
        #expect(prompt.droppedText == "the distance , waves crashing against the rocks , moss covered stones , glowing windows , banners in the wind")
        #expect(prompt.truncationWarning == "20 tokens dropped: the following part of your input was truncated "
            + "because CLIP can only handle sequences up to 77 tokens: " + prompt.droppedText)
    }

    @Test func exactlyFittingPromptIsNotTruncated() {
        let tokenizer = FixtureTokenizers.sd1
        let text = Array(repeating: "cat", count: 75).joined(separator: " ")
        let prompt = tokenizer(text)
        #expect(!prompt.wasTruncated)
        #expect(prompt.tokenCount == 77)
        #expect(prompt.ids.last == 49407)
        let over = tokenizer(text + " dog")
        #expect(over.droppedTokenCount == 1)
        #expect(over.droppedText == "dog")
        #expect(over.ids == prompt.ids)
    }

    @Test func customMaxLength() {
        let prompt = FixtureTokenizers.sd2.tokenize("a photo of a cat", maxLength: 5)
        #expect(prompt.ids == [49406, 320, 1125, 539, 49407])
        #expect(prompt.droppedTokenCount == 2)
        #expect(prompt.droppedText == "a cat")
    }
}

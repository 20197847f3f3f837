import Testing
import DiffuseModels
import DiffuseTestSupport

/// Hand-picked edge cases and seeded random strings against transformers 5
/// (`Fixtures/tokenizer/expectations.json`, written by `Scripts/fixtures/tokenizer_cases.py`; the tests do
/// not need Python).
@Suite("CLIP tokenizer: transformers edge cases")
struct CLIPTokenizerEdgeCaseTests {
    @Test func casesArePresent() {
        #expect(TokenizerExpectation.all.count == 268)
    }

    @Test(arguments: TokenizerExpectation.all)
    func sd1IDs(_ c: TokenizerExpectation) {
        #expect(FixtureTokenizers.sd1.unpaddedIDs(c.text) == c.sd1)
    }

    @Test(arguments: TokenizerExpectation.all)
    func sd2IDs(_ c: TokenizerExpectation) {
        #expect(FixtureTokenizers.sd2.unpaddedIDs(c.text) == c.sd2)
    }

    @Test(arguments: TokenizerExpectation.all)
    func decoding(_ c: TokenizerExpectation) {
        #expect(FixtureTokenizers.sd1.decode(c.sd1) == c.decoded)
        #expect(FixtureTokenizers.sd1.decode(c.sd1, skipSpecialTokens: true) == c.decodedSkippingSpecial)
        #expect(FixtureTokenizers.sd2.decode(c.sd2, skipSpecialTokens: true) == c.sd2DecodedSkippingSpecial)
    }

    /// SD 2's pad token `!` is a special added token: each `!` is id 0 on its own (transformers 5).
    @Test func sd2ExclamationMarksAreSpecial() {
        #expect(FixtureTokenizers.sd2.encode("world!!!") == [1002, 0, 0, 0])
        #expect(FixtureTokenizers.sd1.encode("world!!!") == [1002, 995])
        #expect(FixtureTokenizers.sd2.decode([1002, 0, 0, 0]) == "world !!!")
        #expect(FixtureTokenizers.sd2.decode([1002, 0, 0, 0], skipSpecialTokens: true) == "world")
    }

    @Test func decodeRoundTrip() {
        let tokenizer = FixtureTokenizers.sd1
        for text in ["a photo of a cat", "東京の夜景 and москва", "a cat 🐱 on the moon 🌙🚀", "café au lait"] {
            #expect(tokenizer.decode(tokenizer.encode(text)) == text)
        }
        // Word boundaries come back as spaces, upper case as lower case (as in transformers).
        #expect(tokenizer.decode(tokenizer.encode("Hello, World!")) == "hello , world !")
        #expect(tokenizer.decode(tokenizer(("a photo")).ids, skipSpecialTokens: true) == "a photo")
        // Unknown ids are skipped; a lone continuation byte becomes U+FFFD.
        #expect(tokenizer.decode([320, -1, 1_000_000, 2368]) == "a cat")
        #expect(tokenizer.decode([139]) == "\u{FFFD}")
    }

    @Test func tokenLookup() {
        let tokenizer = FixtureTokenizers.sd1
        #expect(tokenizer.id(for: "cat</w>") == 2368)
        #expect(tokenizer.id(for: "<|endoftext|>") == 49407)
        #expect(tokenizer.token(for: 2368) == "cat</w>")
        #expect(tokenizer.token(for: 49406) == "<|startoftext|>")
        #expect(tokenizer.token(for: 49408) == nil)
        #expect(tokenizer.id(for: "no such token") == nil)
    }

    @Test func concurrentUseGivesTheSameIDs() async {
        let tokenizer = FixtureTokenizers.sd1
        let cases = Array(TokenizerExpectation.all.prefix(64))
        await withTaskGroup(of: Bool.self) { group in
            for c in cases {
                group.addTask { tokenizer.unpaddedIDs(c.text) == c.sd1 }
            }
            for await ok in group { #expect(ok) }
        }
    }
}

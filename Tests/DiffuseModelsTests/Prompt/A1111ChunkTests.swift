import Testing
import DiffuseModels

/// `CLIPTokenizer.a1111Chunks` against A1111's `tokenize_line` + `process_tokens` padding as reproduced in
/// Scripts/fixtures/prompt_syntax.py on transformers' tokenizers (tiny-sd1, tiny-sd2, both of tiny-sdxl):
/// ids exact, multipliers exact (products of the parser's Doubles).
@Suite("A1111 prompt chunks")
struct A1111ChunkTests {
    @Test func casesArePresent() { #expect(PromptSyntaxFixture.chunks.count == 14) }

    @Test(arguments: PromptSyntaxFixture.chunks)
    func chunks(_ c: PromptSyntaxFixture.Chunks) throws {
        let chunks = c.tokenizer.a1111Chunks(try A1111PromptParser.parse(c.text))
        #expect(chunks.map(\.ids) == c.ids)
        #expect(chunks.map(\.multipliers) == c.multipliers)
    }

    /// The long prompt's first chunk ends at a comma (the fragment after it moved to the second chunk),
    /// the prompt without commas fills its chunks to 75 tokens.
    @Test func commaBacktrack() throws {
        let long = try #require(PromptSyntaxFixture.chunks.first { $0.case == "long" })
        let tokenizer = long.tokenizer
        let first = tokenizer.a1111Chunks(try A1111PromptParser.parse(long.text))[0].ids
        let end = try #require(first.firstIndex(of: tokenizer.eosTokenID))
        #expect(end < 76 && end >= 76 - CLIPTokenizer.commaBacktrack)
        #expect(first[end - 1] == tokenizer.id(for: ",</w>"))
        let plain = try #require(PromptSyntaxFixture.chunks.first { $0.case == "no-commas" })
        #expect(plain.tokenizer.a1111Chunks(try A1111PromptParser.parse(plain.text)).map { $0.ids.firstIndex(of: 49407) } == [76, 76, 21])
    }

    @Test func emptyPromptIsOneChunk() {
        let sd2 = PromptSyntaxFixture.tokenizer("tiny-sd2/tokenizer")
        #expect(sd2.emptyA1111Chunk.ids == [sd2.bosTokenID, sd2.eosTokenID] + Array(repeating: 0, count: 75))
        #expect(sd2.emptyA1111Chunk.multipliers == Array(repeating: 1, count: 77))
    }
}

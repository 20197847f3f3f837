import Testing
import DiffuseModels

/// `A1111PromptParser` against A1111's `parse_prompt_attention` as reproduced in
/// Scripts/fixtures/prompt_syntax.py (its docstring's examples and more: nesting, escapes, BREAK, `<lora:…>`).
/// Exact: the same float operations in the same order give the same Doubles.
@Suite("A1111 prompt parser")
struct A1111PromptParserTests {
    @Test func casesArePresent() { #expect(PromptSyntaxFixture.parses.count == 27) }

    @Test(arguments: PromptSyntaxFixture.parses)
    func parse(_ c: PromptSyntaxFixture.Parse) throws {
        #expect(try A1111PromptParser.parse(c.text) == c.parsed)
    }

    /// A1111's own docstring example, spelled out here as well.
    @Test func docstringExample() throws {
        let parsed = try A1111PromptParser.parse("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).")
        #expect(parsed.map(\.text) == ["a ", "house", " ", "on", " a ", "hill", ", sun, ", "sky", "."])
        #expect(parsed.map(\.weight) == [1.0, 1.5730000000000004, 1.1, 1.0, 1.1, 0.55, 1.1, 1.4641000000000006, 1.1])
    }

    @Test func badWeightIsAClearError() {
        #expect(throws: PromptSyntaxError.self) { try A1111PromptParser.parse("a (cat:1.2.3) b") }
        do {
            _ = try A1111PromptParser.parse("(cat:.)")
        } catch {
            #expect("\(error)".contains("\":.)\""))
            #expect("\(error)".contains("(word:1.2)"))
        }
        // without an open bracket the same text is plain text, as in A1111
        #expect((try? A1111PromptParser.parse("cat:1.2.3)")) == [WeightedText("cat:1.2.3)", 1)])
    }
}

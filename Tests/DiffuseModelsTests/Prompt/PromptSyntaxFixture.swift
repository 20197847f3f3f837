#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseModels
import DiffuseTestSupport

/// Fixtures/prompt-syntax/{parses,chunks}.json, written by Scripts/fixtures/prompt_syntax.py (A1111's
/// algorithm on transformers' tokenizers of the tiny fixture models).
enum PromptSyntaxFixture {
    /// One `parses.json` entry: the prompt and A1111's `[[text, weight], …]`.
    struct Parse: Decodable, Sendable, CustomTestStringConvertible {
        var text: String
        var parsed: [WeightedText]
        var testDescription: String { text.debugDescription }

        enum CodingKeys: String, CodingKey { case text, parsed }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            text = try c.decode(String.self, forKey: .text)
            var list = try c.nestedUnkeyedContainer(forKey: .parsed)
            parsed = []
            while !list.isAtEnd {
                var pair = try list.nestedUnkeyedContainer()
                parsed.append(WeightedText(try pair.decode(String.self), try pair.decode(Double.self)))
            }
        }
    }

    /// One `chunks.json` entry: a prompt's chunks through one model's tokenizer.
    struct Chunks: Decodable, Sendable, CustomTestStringConvertible {
        var `case`: String
        var model: String
        var encoder: String
        var text: String
        var ids: [[Int]]
        var multipliers: [[Double]]
        var testDescription: String { "\(`case`) \(encoder)" }

        var tokenizer: CLIPTokenizer { PromptSyntaxFixture.tokenizer(model + "/" + encoder) }
    }

    static let parses: [Parse] = load("parses.json")
    static let chunks: [Chunks] = load("chunks.json")

    static func load<T: Decodable>(_ name: String) -> [T] {
        let path = FixturePaths.path("prompt-syntax/" + name)
        do {
            return try JSONDecoder().decode([T].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            fatalError("\(path): \(error); regenerate with Scripts/make_fixtures.py")
        }
    }

    /// The fixture tokenizers (static lets: loaded once, thread-safe).
    static let sd1 = load(tokenizer: "tiny-sd1/tokenizer")
    static let sd2 = load(tokenizer: "tiny-sd2/tokenizer")
    static let sdxl1 = load(tokenizer: "tiny-sdxl/tokenizer")
    static let sdxl2 = load(tokenizer: "tiny-sdxl/tokenizer_2")

    /// `folder`, e.g. "tiny-sdxl/tokenizer_2".
    static func tokenizer(_ folder: String) -> CLIPTokenizer {
        switch folder {
        case "tiny-sd1/tokenizer": sd1
        case "tiny-sd2/tokenizer": sd2
        case "tiny-sdxl/tokenizer": sdxl1
        case "tiny-sdxl/tokenizer_2": sdxl2
        default: fatalError("no fixture tokenizer \(folder)")
        }
    }

    static func load(tokenizer folder: String) -> CLIPTokenizer {
        let path = FixturePaths.path(folder)
        do { return try CLIPTokenizer(folder: path) } catch { fatalError("\(path): \(error)") }
    }
}

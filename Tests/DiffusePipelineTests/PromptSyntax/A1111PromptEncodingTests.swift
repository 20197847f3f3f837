#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// `promptSyntax = .a1111` against the worked reference Scripts/fixtures/prompt_syntax.py
/// (Fixtures/prompt-syntax/): A1111's chunking and emphasis computed with transformers' text encoders of
/// tiny-sd1, tiny-sd2 and tiny-sdxl.
///
/// Embeddings tolerance: |Δ| ≤ 1e-5 · max|e| + 1e-5 · |e|. The text encoders alone agree with transformers
/// to about 1e-6 of the scale in f32 (CLIPTextEncoderFixtureTests); the emphasis multiplies by weights ≤ 2
/// and a mean ratio near 1, and the means are summed in another order than torch's, so 1e-5 leaves room,
/// while a wrong chunk, weight or pad id fails, and so does a missing mean restoration (which alone moves
/// the "weights" and "long" cases by 6e-3 of the scale).
@Suite("A1111 prompt syntax: embeddings and images")
struct A1111PromptEncodingTests {
    struct EmbeddingCase: Decodable, Sendable, CustomTestStringConvertible {
        var `case`: String
        var model: String
        var prompt: String
        var negative_prompt: String
        var clip_skip: Int?
        var testDescription: String { `case` }
    }

    static let folder = "prompt-syntax"
    static let embeddingCases: [EmbeddingCase] = {
        let path = FixturePaths.path(folder + "/embeddings.json")
        do {
            return try JSONDecoder().decode([EmbeddingCase].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            fatalError("\(path): \(error); regenerate with Scripts/make_fixtures.py")
        }
    }()

    static func expectClose(_ actual: Tensor, _ expected: Tensor, _ label: String) {
        #expect(actual.shape == expected.shape, "\(label): shape \(actual.shape), expected \(expected.shape)")
        guard actual.shape == expected.shape else { return }
        let scale = expected.floats().reduce(0) { max($0, abs(Double($1))) }
        let c = closeness(actual, expected, rtol: 1e-5, atol: 1e-5 * scale)
        #expect(c.passes, "\(label): \(c)")
    }

    @Test func casesArePresent() { #expect(Self.embeddingCases.count == 12) }

    @Test(arguments: embeddingCases)
    func embeddingsMatchReference(_ c: EmbeddingCase) throws {
        let pipe = try PipelineFixture.pipeline(c.model)
        let tensors = try SafeTensorsFile(path: FixturePaths.path(Self.folder + "/embeddings.safetensors"))
        var config = GenerationConfiguration(prompt: c.prompt)
        config.negativePrompt = c.negative_prompt
        config.clipSkip = c.clip_skip ?? 0
        config.promptSyntax = .a1111
        let conditioning = try pipe.promptEncoder.encode(config, size: (32, 32))
        let embeddings = conditioning.embeddings.toHost()                           // [2, 77k, H]
        let expectedCond = try tensors.tensor(c.case + ".cond")                     // [1, 77k, H]
        Self.expectClose(embeddings.sliced(dim: 0, 0..<1).hostContiguous(), try tensors.tensor(c.case + ".uncond"), c.case + " uncond")
        Self.expectClose(embeddings.sliced(dim: 0, 1..<2).hostContiguous(), expectedCond, c.case + " cond")
        #expect(conditioning.warnings.isEmpty, "long prompts are chunked, not cut: \(conditioning.warnings)")
        if c.model == "tiny-sdxl" {
            let pooled = try #require(conditioning.extras["text_embeds"]).toHost()   // [2, P]
            Self.expectClose(pooled.sliced(dim: 0, 0..<1).hostContiguous(), try tensors.tensor(c.case + ".uncond_pooled"), c.case + " uncond pooled")
            Self.expectClose(pooled.sliced(dim: 0, 1..<2).hostContiguous(), try tensors.tensor(c.case + ".pooled"), c.case + " pooled")
        }
    }

    /// The same prompt in plain mode is cut at 77 tokens and says what was cut.
    @Test func plainModeTruncatesWithWarning() throws {
        let long = try #require(Self.embeddingCases.first { $0.case == "long" })
        var config = GenerationConfiguration(prompt: long.prompt)
        config.negativePrompt = long.negative_prompt
        let conditioning = try PipelineFixture.pipeline("tiny-sd1").promptEncoder.encode(config, size: (32, 32))
        #expect(conditioning.embeddings.shape[1] == 77)
        #expect(conditioning.warnings.contains { $0.contains("truncated") && $0.contains("golden hour") })
    }

    @Test func badWeightIsAnError() throws {
        var config = GenerationConfiguration(prompt: "a (cat:1.2.3)")
        config.promptSyntax = .a1111
        #expect(throws: (any Error).self) { try PipelineFixture.pipeline("tiny-sd1").promptEncoder.encode(config, size: (32, 32)) }
    }

    /// End to end: diffusers' pipelines given the reference's `prompt_embeds` / `negative_prompt_embeds`
    /// (and the pooled ones for SDXL); tolerances of PipelineFixtureTests (pixels within 1 level).
    @Test(arguments: ["sd1-long": "tiny-sd1", "sdxl-weights": "tiny-sdxl"].sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
    func imageMatchesDiffusers(_ names: [String]) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path(Self.folder + "/pipeline_cases.json")))
        let c = try #require(try JSONDecoder().decode([PipelineCase].self, from: data).first { $0.case == names[0] })
        let tensors = try SafeTensorsFile(path: FixturePaths.path(Self.folder + "/pipeline_cases.safetensors"))
        try PipelineFixtureTests.check(try PipelineFixture.pipeline(names[1]), c, tensors: tensors, label: Self.folder,
                                       promptSyntax: .a1111)
    }
}

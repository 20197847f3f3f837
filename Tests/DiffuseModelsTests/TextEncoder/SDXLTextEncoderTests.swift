import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseTestSupport

/// SDXL's two text encoders (`Fixtures/tiny-sdxl`: `text_encoder` a CLIPTextModel, `text_encoder_2` a
/// CLIPTextModelWithProjection, f16 weights upcast to f32) against transformers: `hidden_states[-2]` and
/// `text_embeds` from `reference.safetensors` (`te.*`, `te_2.*`, computed in float32; prompts
/// ["", "a photo of a cat"]). Tolerance as `CLIPTextEncoderFixtureTests` (scale-relative 1e-4, same
/// reasons: f32 on both sides, two layers, sums of ≤ 96 products).
@Suite struct SDXLTextEncoderTests {
    static func model(_ component: String) throws -> CLIPTextModel {
        let folder = FixturePaths.path("tiny-sdxl/\(component)")
        return try CLIPTextModel(config: CLIPTextConfig(contentsOfFile: folder + "/config.json"),
                                 weightFiles: [folder + "/model.safetensors"], dtype: .f32, backend: CPUBackend())
    }

    static func reference(_ name: String) throws -> Tensor {
        try SafeTensorsFile(path: FixturePaths.path("tiny-sdxl/reference.safetensors")).tensor(name)
    }

    @Test func penultimateAndTextEmbedsMatchTransformers() throws {
        let first = try Self.model("text_encoder"), second = try Self.model("text_encoder_2")
        #expect(!first.hasProjection && second.hasProjection)

        let (hidden1, none) = try first.encodePenultimate(try Self.reference("te.input_ids"))
        #expect(none == nil)
        let e1 = scaleRelativeError(hidden1, try Self.reference("te.penultimate"))
        let (hidden2, embeds) = try second.encodePenultimate(try Self.reference("te_2.input_ids"), textEmbeds: true)
        let e2 = scaleRelativeError(hidden2, try Self.reference("te_2.penultimate"))
        let e3 = scaleRelativeError(try #require(embeds), try Self.reference("te_2.text_embeds"))
        print("SDXL text encoders: penultimate \(e1), \(e2); text_embeds \(e3)")
        #expect(hidden1.shape == [2, 77, 32] && hidden2.shape == [2, 77, 48] && embeds?.shape == [2, 40])
        #expect(e1 <= 1e-4 && e2 <= 1e-4 && e3 <= 1e-4)
    }

    /// The penultimate state is the same tensor `callAsFunction` keeps as `hiddenStates[layers − 1]`, and
    /// the errors name what was wrong.
    @Test func agreesWithTheFullForwardAndRefusesBadRequests() throws {
        let second = try Self.model("text_encoder_2")
        let ids = try Self.reference("te_2.input_ids")
        let full = try second(ids, outputHiddenStates: true)
        let (hidden, _) = try second.encodePenultimate(ids)
        #expect(hidden.floats() == full.hiddenStates![second.config.numHiddenLayers - 1].floats())
        let skipped = try second.encodePenultimate(ids, clipSkip: 1).hiddenStates
        #expect(skipped.floats() == full.hiddenStates![0].floats())

        #expect(throws: CLIPTextModelError.self) { try second.encodePenultimate(ids, clipSkip: 2) }
        let first = try Self.model("text_encoder")
        let error = #expect(throws: CLIPTextModelError.self) { try first.encodePenultimate(ids, textEmbeds: true) }
        #expect(error?.kind == .noProjection)
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// The text encoder's attention goes through the nn `Attention` module's swappable processor.
@Suite struct CLIPTextEncoderProcessorTests {
    /// `SlicedAttention` runs the same vanilla kernel one batch·head slice at a time: each slice's
    /// scores, softmax and product are the same arithmetic, so the result is expected to be identical;
    /// we allow 1e-6 of the scale in case a GEMM picks another blocking for the smaller batch.
    @Test(arguments: TextEncoderFixture.allCases)
    func slicedAttentionGivesTheSameOutput(_ fixture: TextEncoderFixture) throws {
        let model = try fixture.model()
        let ids = try fixture.reference("input_ids")
        #expect(model.attentionProcessors.allSatisfy { $0.processor == "sdpa" }) // the default
        try model.setAttentionProcessor(VanillaAttention())
        let vanilla = try model(ids, outputHiddenStates: true)
        try model.setAttentionProcessor(SlicedAttention(sliceSize: 3))
        #expect(model.attentionProcessors.allSatisfy { $0.processor == "sliced(3)" })
        let sliced = try model(ids, outputHiddenStates: true)
        let error = scaleRelativeError(sliced.lastHiddenState, vanilla.lastHiddenState)
        print("\(fixture) sliced vs vanilla: \(error)")
        #expect(error <= 1e-6)
        // Still equal to transformers.
        #expect(scaleRelativeError(sliced.lastHiddenState, try fixture.reference("last_hidden_state")) <= 1e-4)
    }

    @Test func oneLayerByNameAndUnknownNames() throws {
        let model = try TextEncoderFixture.sd1.model()
        try model.setAttentionProcessor(SlicedAttention(sliceSize: 1), layers: ["text_model.encoder.layers.1.self_attn"])
        #expect(model.attentionProcessors.map(\.processor) == ["sdpa", "sliced(1)"])
        #expect(throws: AttentionLayerError.self) {
            try model.setAttentionProcessor(VanillaAttention(), layers: ["encoder.layers.0.self_attn"])
        }
    }
}

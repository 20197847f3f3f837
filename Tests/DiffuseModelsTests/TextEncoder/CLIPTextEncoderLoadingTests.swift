import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// Both key layouts (`text_model.` prefix or not), the `position_ids` buffer, and the load errors.
@Suite struct CLIPTextEncoderLoadingTests {
    /// The fixture files have one layout each: tiny-sd1 without the prefix (transformers 5), tiny-sd2 with it.
    @Test func fixtureLayoutsAreDetected() throws {
        #expect(try TextEncoderFixture.sd1.model().keyPrefix == "")
        #expect(try TextEncoderFixture.sd2.model().keyPrefix == "text_model.")
    }

    /// Each fixture rewritten in memory to the other layout (plus a `position_ids` buffer, which some
    /// checkpoints carry) loads and gives bit-identical outputs: same tensors, same ops.
    @Test(arguments: TextEncoderFixture.allCases)
    func otherLayoutInMemoryGivesTheSameOutput(_ fixture: TextEncoderFixture) throws {
        let original = try fixture.model()
        var renamed: [String: Tensor] = [:]
        for (key, tensor) in try fixture.checkpointTensors() {
            let newKey = key.hasPrefix("text_model.") ? String(key.dropFirst("text_model.".count)) : "text_model." + key
            renamed[newKey] = tensor
        }
        let newPrefix = original.keyPrefix.isEmpty ? "text_model." : ""
        renamed[newPrefix + "embeddings.position_ids"] = Tensor(ids: Array(0..<77), shape: [1, 77])
        let store = WeightStore(tensors: renamed, dtype: .f32, source: "\(fixture) rewritten")
        let rewritten = try CLIPTextModel(config: fixture.config(), weights: store, backend: CPUBackend())
        #expect(rewritten.keyPrefix == newPrefix)
        let ids = try fixture.reference("input_ids")
        let a = try original(ids), b = try rewritten(ids)
        #expect(a.lastHiddenState.floats() == b.lastHiddenState.floats())
        #expect(a.pooledOutput.floats() == b.pooledOutput.floats())
    }

    /// The attention layers carry transformers 4 / hub names whatever the file's layout.
    @Test(arguments: TextEncoderFixture.allCases)
    func attentionLayerNames(_ fixture: TextEncoderFixture) throws {
        let names = try fixture.model().attentionProcessors.map(\.layer)
        #expect(names == ["text_model.encoder.layers.0.self_attn", "text_model.encoder.layers.1.self_attn"])
    }

    // MARK: - Bad checkpoints and configs

    func loadError(_ tensors: [String: Tensor], config: CLIPTextConfig? = nil) throws -> String {
        let store = WeightStore(tensors: tensors, dtype: .f32, source: "edited checkpoint")
        do {
            _ = try CLIPTextModel(config: config ?? TextEncoderFixture.sd1.config(), weights: store, backend: CPUBackend())
        } catch {
            return String(describing: error)
        }
        Issue.record("loading succeeded")
        return ""
    }

    @Test func missingKeyIsNamed() throws {
        var tensors = try TextEncoderFixture.sd1.checkpointTensors()
        tensors["encoder.layers.1.self_attn.k_proj.bias"] = nil
        let message = try loadError(tensors)
        print(message)
        #expect(message.contains("1 missing, 0 unused, 0 with the wrong shape"))
        #expect(message.contains("encoder.layers.1.self_attn.k_proj.bias"))
    }

    @Test func wrongShapeIsNamedWithBothShapes() throws {
        var tensors = try TextEncoderFixture.sd1.checkpointTensors()
        tensors["encoder.layers.0.mlp.fc1.weight"] = Tensor(zeros: [32, 64])
        let message = try loadError(tensors)
        print(message)
        #expect(message.contains("encoder.layers.0.mlp.fc1.weight: expected [64, 32], found [32, 64]"))
    }

    /// Everything wrong at once is listed at once: a missing key, an unknown key, a wrong shape.
    @Test func allProblemsInOneError() throws {
        var tensors = try TextEncoderFixture.sd1.checkpointTensors()
        tensors["final_layer_norm.bias"] = nil
        tensors["text_projection.weight"] = Tensor(zeros: [32, 32])
        tensors["embeddings.position_embedding.weight"] = Tensor(zeros: [78, 32])
        let message = try loadError(tensors)
        print(message)
        #expect(message.contains("1 missing, 1 unused, 1 with the wrong shape"))
        #expect(message.contains("final_layer_norm.bias"))
        #expect(message.contains("text_projection.weight"))
        #expect(message.contains("embeddings.position_embedding.weight: expected [77, 32], found [78, 32]"))
    }

    /// A config that does not fit the weights (3 layers for a 2-layer file) names the missing layer.
    @Test func configWeightsMismatch() throws {
        var config = try TextEncoderFixture.sd2.config()
        config.numHiddenLayers = 3
        let message = try loadError(TextEncoderFixture.sd2.checkpointTensors(), config: config)
        #expect(message.contains("text_model.encoder.layers.2.self_attn.q_proj.weight"))
    }

    @Test func unknownActivationNamesKeyAndValue() throws {
        var config = try TextEncoderFixture.sd1.config()
        config.hiddenAct = "relu"
        let fromFiles = #expect(throws: ConfigError.self) {
            try CLIPTextModel(config: config, weightFiles: [TextEncoderFixture.sd1.weightFile], dtype: .f32, backend: CPUBackend())
        }
        let message = String(describing: try #require(fromFiles))
        print(message)
        #expect(message.contains("\"hidden_act\" = \"relu\""))
        #expect(message.contains("config.json"))
        let fromStore = try loadError(TextEncoderFixture.sd1.checkpointTensors(), config: config)
        #expect(fromStore.contains("\"hidden_act\" = \"relu\""))
    }

    @Test func missingWeightFileNamesThePath() throws {
        let path = FixturePaths.path("tiny-sd1/text_encoder/no-such-file.safetensors")
        let error = #expect(throws: (any Error).self) {
            try CLIPTextModel(config: TextEncoderFixture.sd1.config(), weightFiles: [path], dtype: .f32, backend: CPUBackend())
        }
        #expect(String(describing: try #require(error)).contains("no-such-file.safetensors"))
    }

    // MARK: - Bad input ids and clip skip

    @Test func badInputsAreClearErrors() throws {
        let model = try TextEncoderFixture.sd1.model()
        func message(_ ids: Tensor, clipSkip: Int = 0) -> String {
            do { _ = try model(ids, clipSkip: clipSkip) } catch { return String(describing: error) }
            return "no error"
        }
        #expect(message(Tensor([1, 2], shape: [1, 2])).contains("must be i32 or i64, got f32"))
        #expect(message(Tensor(ids: [1, 2], shape: [1, 1, 2])).contains("[batch, length]"))
        #expect(message(Tensor(ids: Array(repeating: 1, count: 78), shape: [1, 78])).contains("1…77"))
        #expect(message(Tensor(ids: [49406, 49408], shape: [1, 2])).contains("token id 49408 at [0, 1] is outside the vocabulary"))
        #expect(message(Tensor(ids: [49406, -1], shape: [1, 2])).contains("token id -1 at [0, 1]"))
        #expect(message(Tensor(ids: [49406], shape: [1, 1]), clipSkip: 3).contains("clipSkip 3 is outside 0…2"))
        #expect(message(Tensor(ids: [49406], shape: [1, 1]), clipSkip: -1).contains("clipSkip -1"))
        #expect(throws: CLIPTextModelError.self) { try model.encodePrompt(Tensor(ids: [1], shape: [1, 1]), clipSkip: 5) }
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// The VAE's mid-block attention layers: diffusers-style names, processors that can be listed and
/// swapped, and the legacy `query/key/value/proj_attn` checkpoint keys.
@Suite struct VAEAttentionTests {
    /// Counts calls, then defers to `VanillaAttention` (shows a swapped processor is the one that runs).
    final class CountingAttention: AttentionProcessor, @unchecked Sendable {
        private(set) var calls = 0
        var name: String { "counting" }
        func attend(query: Tensor, key: Tensor, value: Tensor, mask: Tensor?, scale: Float,
                    options: AttentionOptions, backend: any Backend) throws -> Tensor {
            calls += 1
            // The VAE's attention is one head over all channels, softmax in f32 (diffusers `upcast_softmax=True`).
            #expect(query.size(1) == 1 && options.upcastSoftmax && !options.isCausal)
            return try VanillaAttention().attend(query: query, key: key, value: value, mask: mask, scale: scale,
                                                 options: options, backend: backend)
        }
    }

    @Test func layersHaveDiffusersNames() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let listed = vae.attentionProcessors
        #expect(listed.map(\.layer) == ["encoder.mid_block.attentions.0", "decoder.mid_block.attentions.0"])
        #expect(listed.allSatisfy { $0.processor == "sdpa" }) // the default, like AttnProcessor2_0
    }

    /// Sliced attention (one sample per slice in a batch of two) gives the vanilla result; a processor set
    /// on one named layer runs there only.
    @Test func swappedProcessorsGiveTheSameResult() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let reference = try VAEFixture.reference("tiny-sd1")
        let z = try reference.tensor("vae.decode.input")
        let batch = CPUBackend().concat([z, CPUBackend().scale(z, by: 0.5)], dim: 0)
        let image = try reference.tensor("vae.encode.input")
        try vae.setAttentionProcessor(VanillaAttention())
        let vanillaImages = try vae.decode(batch)
        let vanillaMean = try vae.encode(image).mean

        try vae.setAttentionProcessor(SlicedAttention(sliceSize: 1))
        #expect(vae.attentionProcessors.allSatisfy { $0.processor == "sliced(1)" })
        let sliced = closeness(try vae.decode(batch), vanillaImages, rtol: 1e-6, atol: 1e-6)
        #expect(sliced.passes, "sliced decode: \(sliced)")

        let counting = CountingAttention()
        try vae.setAttentionProcessor(counting, layers: ["encoder.mid_block.attentions.0"])
        #expect(vae.attentionProcessors.map(\.processor) == ["counting", "sliced(1)"])
        let mean = try vae.encode(image).mean
        _ = try vae.decode(z)
        #expect(counting.calls == 1) // the encoder's layer only
        let encoded = closeness(mean, vanillaMean, rtol: 1e-6, atol: 1e-6)
        #expect(encoded.passes, "encode with a swapped processor: \(encoded)")
    }

    @Test func unknownLayerNameListsTheLayers() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let error = try #require(throws: AttentionLayerError.self) {
            try vae.setAttentionProcessor(VanillaAttention(), layers: ["mid_block.attentions.0"])
        }
        #expect(error.description.contains("decoder.mid_block.attentions.0"))
    }

    /// tiny-sd2 stores the attention as `query/key/value/proj_attn` (older hub checkpoints): it loads with
    /// no missing or unused key (the fixture tests check its numbers).
    @Test func legacyAttentionKeysLoad() throws {
        let file = try SafeTensorsFile(path: VAEFixture.weightsPath("tiny-sd2"))
        #expect(file.names.contains("decoder.mid_block.attentions.0.proj_attn.weight"))
        #expect(!file.names.contains { $0.contains("to_q") })
        let vae = try VAEFixture.model("tiny-sd2")
        #expect(vae.attentionProcessors.map(\.layer) == ["encoder.mid_block.attentions.0", "decoder.mid_block.attentions.0"])
    }

    /// The same weights under modern and legacy names give the same model.
    @Test func legacyAndModernKeysGiveTheSameDecode() throws {
        let config = try VAEFixture.config("tiny-sd1")
        let modern = try VAEFixture.tensors("tiny-sd1")
        let renames = [(".to_q.", ".query."), (".to_k.", ".key."), (".to_v.", ".value."), (".to_out.0.", ".proj_attn.")]
        var legacy: [String: Tensor] = [:]
        for (key, tensor) in modern {
            legacy[renames.reduce(key) { $0.replacing($1.0, with: $1.1) }] = tensor
        }
        #expect(legacy.keys.contains("encoder.mid_block.attentions.0.query.weight"))
        let a = try AutoencoderKL(config: config, weights: WeightStore(tensors: modern, dtype: .f32, source: "modern"),
                                  backend: CPUBackend())
        let b = try AutoencoderKL(config: config, weights: WeightStore(tensors: legacy, dtype: .f32, source: "legacy"),
                                  backend: CPUBackend())
        let z = try VAEFixture.reference("tiny-sd1").tensor("vae.decode.input")
        #expect(try a.decode(z).floats() == b.decode(z).floats())
    }
}


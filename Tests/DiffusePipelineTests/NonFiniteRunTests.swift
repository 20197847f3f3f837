import DiffuseCore
import DiffuseNN
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport
import Foundation
import Testing

/// No silent black images (issue #20): NaN weights stop the run at the stage that produced them, with a
/// line naming it; absurd guidance is refused with the valid range; integer tensors are not weights.
@Suite struct NonFiniteRunTests {
    /// A copy of Fixtures/tiny-sd1 (links) whose `component` weights file has one tensor set to NaN.
    static func poisoned(_ component: String, file: String) throws -> (String, () -> Void) {
        let root = FileManager.default.temporaryDirectory.path + "/diffuse-nan-\(component)-\(UInt32.random(in: 0...UInt32.max))"
        let source = FixturePaths.path("tiny-sd1")
        try FileManager.default.createDirectory(atPath: root + "/" + component, withIntermediateDirectories: true)
        for item in ["model_index.json", "scheduler", "text_encoder", "tokenizer", "unet", "vae"] where item != component {
            try FileManager.default.createSymbolicLink(atPath: root + "/" + item, withDestinationPath: source + "/" + item)
        }
        try FileManager.default.createSymbolicLink(atPath: "\(root)/\(component)/config.json",
                                                   withDestinationPath: "\(source)/\(component)/config.json")
        let original = try SafeTensorsFile(path: "\(source)/\(component)/\(file)")
        var tensors = try original.names.map { (name: $0, tensor: try original.tensor($0)) }
        // The first bias: a NaN there reaches every output of its layer.
        let i = try #require(tensors.firstIndex { $0.name.hasSuffix(".bias") })
        var values = tensors[i].tensor.floats()                     // a copy (the file is mapped read-only)
        values[0] = .nan
        tensors[i].tensor = Tensor(values, shape: tensors[i].tensor.shape).hostConverted(to: tensors[i].tensor.dtype)
        try SafeTensors.write(tensors, to: "\(root)/\(component)/\(file)")
        return (root, { try? FileManager.default.removeItem(atPath: root) })
    }

    static func expectNonFinite(_ component: String, file: String, mentioning words: [String]) throws {
        let (root, cleanup) = try poisoned(component, file: file)
        defer { cleanup() }
        var config = GenerationConfiguration(prompt: "a photo of a cat")
        (config.steps, config.seed) = (2, 0)
        do {
            _ = try StableDiffusionPipeline(path: root).generate(config)
            Issue.record("\(component) with a NaN weight gave an image")
        } catch let error as PipelineError {
            #expect(error.kind == .nonFinite, "\(error)")
            for word in words { #expect(error.message.contains(word), "\(error) should mention \(word)") }
        }
    }

    @Test func nanWeightsStopTheStageThatUsesThem() throws {
        try Self.expectNonFinite("text_encoder", file: "model.safetensors", mentioning: ["prompt embeddings", "text encoder"])
        try Self.expectNonFinite("unet", file: "diffusion_pytorch_model.safetensors", mentioning: ["after step 1 of", "UNet"])
        try Self.expectNonFinite("vae", file: "diffusion_pytorch_model.safetensors", mentioning: ["decoded image", "VAE"])
    }

    @Test func absurdGuidanceAndBatchesAreRefused() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        for change in [{ (c: inout GenerationConfiguration) in c.guidanceScale = 1e308 },
                       { $0.guidanceScale = -1e6 }, { $0.imagesPerPrompt = 100_000_000 }] {
            var config = GenerationConfiguration(prompt: "x")
            config.steps = 1
            change(&config)
            #expect {
                _ = try pipe.generate(config)
            } throws: { ($0 as? PipelineError)?.kind == .invalidConfiguration && "\($0)".contains("must be between") }
        }
    }

    @Test func integerTensorsAreNotWeights() throws {
        let store = WeightStore(tensors: ["w": Tensor(ids: [1, 2, 3, 4], shape: [2, 2])], dtype: .f32, source: "test.safetensors")
        _ = store.tensor("w", shape: [2, 2])
        #expect {
            try store.finish()
        } throws: { "\($0)".contains("stored as I64: weights must be F32, F16 or BF16") }
    }
}

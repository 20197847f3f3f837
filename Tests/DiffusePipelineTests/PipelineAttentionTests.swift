import Testing
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import DiffuseTestSupport

/// `setAttentionProcessor` reaches every attention layer of the UNet, the VAE and the text encoder, and
/// sliced attention gives the vanilla image (same arithmetic per slice: bit-identical here).
@Suite struct PipelineAttentionTests {
    @Test func slicedEqualsVanillaEverywhere() throws {
        // A pipeline of its own: the cached ones are shared with tests running in parallel.
        let pipe = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd2"), attention: VanillaAttention())
        var config = GenerationConfiguration(prompt: "a photo of a cat")
        config.steps = 2
        config.seed = 1
        let vanilla = try pipe.generate(config)

        try pipe.setAttentionProcessor(SlicedAttention(sliceSize: 1))
        let layers = pipe.unet.attentionProcessors + pipe.vae.attentionProcessors + pipe.textEncoder!.attentionProcessors
        #expect(!layers.isEmpty && layers.allSatisfy { $0.processor == "sliced(1)" })
        let sliced = try pipe.generate(config)
        let report = closeness(sliced.images, vanilla.images, rtol: 1e-5, atol: 1e-5)
        print("sliced vs vanilla: \(report)")
        #expect(report.passes)
    }
}

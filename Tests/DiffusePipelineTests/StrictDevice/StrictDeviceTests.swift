import Testing
import DiffuseCore
import DiffuseCPU
import DiffusePipeline
import DiffuseTestSupport

/// The proof that the core is device-neutral: the SD1 pipeline runs end to end on `StrictBackend`, whose
/// device refuses host access except through the transfer API and counts every transfer. Models,
/// schedulers and the pipeline hold no pointer into its buffers; the only transfers are the uploads of
/// weights (at load), token ids and initial noise, and the download of the final image. The result is
/// the CPU pipeline's, bit for bit (same kernels, same order).
@Suite(.serialized) struct StrictDevice {
    static func configuration(guidance: Double, images: Int = 1) -> GenerationConfiguration {
        var config = GenerationConfiguration(prompt: "a photo of a cat")
        config.negativePrompt = "blurry"
        config.steps = 3
        config.seed = 0
        config.width = 32
        config.height = 32
        config.guidanceScale = guidance
        config.imagesPerPrompt = images
        return config
    }

    @Test(arguments: [7.5, 1.0])
    func textToImageTransfersOnlyInputsAndTheImage(guidance: Double) throws {
        let device = DiffuseTestSupport.StrictDevice()
        let backend = StrictBackend(base: CPUBackend(), device: device)
        let strict = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1"), backend: backend)

        // Loading: uploads only (the weights), nothing downloaded.
        let loading = device.transfers
        #expect(!loading.isEmpty && loading.allSatisfy { $0.direction == .upload }, "\(loading.filter { $0.direction == .download })")
        #expect(loading.allSatisfy { $0.dtype.isFloatingPoint }, "weights are floating point")

        device.resetTransfers()
        let config = Self.configuration(guidance: guidance, images: 2)
        let result = try strict.textToImage(config)
        let transfers = device.transfers.map(\.description)
        let prompts = guidance > 1 ? 2 : 1                       // [negative, prompt] in one encoder call
        #expect(transfers == [
            "upload i64 [\(prompts), 77]",                       // token ids
            "download f32 [\(2 * prompts), 77, 32]",              // FiniteCheck of the prompt embeddings
            "upload f32 [2, 4, 16, 16]",                           // the initial noise (× init_noise_sigma)
            "download f32 [2, 4, 16, 16]",                       // FiniteCheck after the first step
            "download f32 [2, 4, 16, 16]",                       // and after the last
            "download f32 [2, 3, 32, 32]",                       // the decoded images
        ], "\(transfers)")
        #expect(result.images.device.isHost && result.rgbImages.count == 2)

        // The same pipeline on the CPU gives the same images, bit for bit.
        let cpu = try PipelineFixture.pipeline("tiny-sd1")
        #expect(try cpu.textToImage(config).images.floats() == result.images.floats())
    }

    @Test func imageToImageUploadsTheImageAndItsNoise() throws {
        let device = DiffuseTestSupport.StrictDevice()
        let strict = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1"),
                                                 backend: StrictBackend(base: CPUBackend(), device: device))
        var config = Self.configuration(guidance: 7.5)
        config.initImage = Tensor((0..<(3 * 32 * 32)).map { Float($0 % 17) / 8 - 1 }, shape: [1, 3, 32, 32])
        config.strength = 0.7
        config.width = nil
        config.height = nil
        device.resetTransfers()
        let result = try strict.imageToImage(config)
        #expect(device.transfers.map(\.description) == [
            "upload i64 [2, 77]",                                // token ids
            "download f32 [2, 77, 32]",                          // FiniteCheck of the prompt embeddings
            "upload f32 [1, 3, 32, 32]",                         // the init image
            "upload f32 [1, 4, 16, 16]",                         // the posterior sample's noise
            "upload f32 [1, 4, 16, 16]",                         // the noise added at the first timestep
            "download f32 [1, 4, 16, 16]",                       // FiniteCheck after the first step
            "download f32 [1, 4, 16, 16]",                       // and after the last
            "download f32 [1, 3, 32, 32]",                       // the decoded image
        ], "\(device.transfers)")
        let cpu = try PipelineFixture.pipeline("tiny-sd1")
        #expect(try cpu.imageToImage(config).images.floats() == result.images.floats())
    }

    /// With an `AutoencoderTiny` as the VAE (`--vae`), the encoder's latents are not sampled: one noise upload
    /// fewer; the tiny autoencoder, like the rest, holds no pointer into the device's buffers.
    @Test func imageToImageWithTheTinyVAEUploadsOneNoise() throws {
        let device = DiffuseTestSupport.StrictDevice()
        let strict = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1"), vae: FixturePaths.path("tiny-taesd"),
                                                 backend: StrictBackend(base: CPUBackend(), device: device))
        var config = Self.configuration(guidance: 7.5)
        config.initImage = Tensor((0..<(3 * 32 * 32)).map { Float($0 % 17) / 8 - 1 }, shape: [1, 3, 32, 32])
        config.strength = 0.7
        config.width = nil
        config.height = nil
        device.resetTransfers()
        let result = try strict.imageToImage(config)
        #expect(device.transfers.map(\.description) == [
            "upload i64 [2, 77]",                                // token ids
            "download f32 [2, 77, 32]",                          // FiniteCheck of the prompt embeddings
            "upload f32 [1, 3, 32, 32]",                         // the init image
            "upload f32 [1, 4, 16, 16]",                         // the noise added at the first timestep
            "download f32 [1, 4, 16, 16]",                       // FiniteCheck after the first step
            "download f32 [1, 4, 16, 16]",                       // and after the last
            "download f32 [1, 3, 32, 32]",                       // the decoded image
        ], "\(device.transfers)")
        let cpu = try PipelineFixture.pipeline("tiny-sd1", vae: "tiny-taesd")
        #expect(try cpu.imageToImage(config).images.floats() == result.images.floats())
    }

    /// Ops keep their results on the device; only `upload` and `floats()` (a download) cross.
    @Test func opsStayOnTheDeviceAndOnlyTransfersCross() {
        let device = DiffuseTestSupport.StrictDevice()
        let backend = StrictBackend(base: CPUBackend(), device: device)
        let x = backend.upload(Tensor([1, 2, 3, 4], shape: [2, 2]))
        #expect(!x.device.isHost && x.storage.kind == .device)
        let y = backend.scale(backend.contiguous(x.transposed()), by: 2)   // ops stay on the device
        #expect(device.transfers.count == 1)
        #expect(y.floats() == [2, 6, 4, 8])                                // floats() downloads
        #expect(device.transfers.map(\.description) == ["upload f32 [2, 2]", "download f32 [2, 2]"])
    }
}

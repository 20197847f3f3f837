import DiffuseSources
import Testing
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// A pipeline loaded from the single file generates exactly the folder's image: same weights (bit-equal,
/// see `SingleFileMappingTests`), same code, so the tolerance is zero. 2 steps at 32×32.
@Suite struct SingleFilePipelineTests {
    static func configuration() -> GenerationConfiguration {
        var config = GenerationConfiguration(prompt: "a photo of a cat")
        config.steps = 2
        config.seed = 0
        config.width = 32
        config.height = 32
        return config
    }

    @Test(arguments: ["tiny-sd1", "tiny-sd2", "tiny-sdxl"])
    func singleFileImageEqualsFolderImage(_ name: String) throws {
        let folderPipe = try PipelineFixture.pipeline(name)
        let singlePipe = try StableDiffusionPipeline(folder: SingleFileFixture.open(name))
        let expected = try folderPipe.textToImage(Self.configuration())
        let actual = try singlePipe.textToImage(Self.configuration())
        #expect(actual.latents.floats() == expected.latents.floats())
        #expect(actual.images.floats() == expected.images.floats())
        #expect(actual.rgbImages.map(\.pixels) == expected.rgbImages.map(\.pixels))
    }

    /// The SDXL refiner's file (only text_encoder_2) with the refiner's configs, as the image-to-image pass.
    @Test func refinerSingleFileEqualsRefinerFolder() throws {
        let folderPipe = try PipelineFixture.pipeline("tiny-sdxl-refiner")
        let singlePipe = try StableDiffusionPipeline(folder: SingleFileFixture.open("tiny-sdxl-refiner"))
        #expect(singlePipe.textEncoder == nil && singlePipe.family == .stableDiffusionXL(SDXLTimeIds(requiresAestheticsScore: true)))
        var config = Self.configuration()
        (config.width, config.height) = (nil, nil)
        config.initImage = try folderPipe.textToImage(Self.configuration()).images   // [1, 3, 32, 32]
        config.strength = 0.5
        let expected = try folderPipe.imageToImage(config)
        let actual = try singlePipe.imageToImage(config)
        #expect(actual.images.floats() == expected.images.floats())
    }

    /// Reduced precision converts the mapped tensors with the folder's rule (embeddings kept f32).
    @Test func bf16SingleFileEqualsBF16Folder() throws {
        let folderPipe = try PipelineFixture.pipeline("tiny-sd2", precision: .bf16)
        let singlePipe = try StableDiffusionPipeline(folder: SingleFileFixture.open("tiny-sd2"), precision: .bf16)
        var config = Self.configuration()
        config.steps = 1
        let expected = try folderPipe.textToImage(config)
        let actual = try singlePipe.textToImage(config)
        #expect(actual.images.floats() == expected.images.floats())
    }
}

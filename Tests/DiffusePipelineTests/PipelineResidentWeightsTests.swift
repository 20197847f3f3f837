import DiffuseSources
import Testing
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// Stage-by-stage release of memory-mapped weights (`StableDiffusionPipeline.releaseResidentWeights`):
/// same images with and without it, and after a run no mapped weight page is left resident.
@Suite struct PipelineResidentWeightsTests {
    static func generate(_ pipe: StableDiffusionPipeline) throws -> [Float] {
        var c = GenerationConfiguration(prompt: "a photo of a cat")
        (c.steps, c.seed) = (2, 0)
        return try pipe.generate(c).images.floats()
    }

    static func resident(_ pipe: StableDiffusionPipeline) -> Int {
        [SingleFileCheckpoint.Component.textEncoder, .unet, .vae]
            .flatMap { pipe.mappedWeights($0) }.reduce(0) { $0 + ($1.residentBytes ?? 0) }
    }

    @Test func releasingChangesNothingButResidency() throws {
        let path = FixturePaths.path("tiny-sd1")
        let releasing = try StableDiffusionPipeline(path: path)
        let keeping = try StableDiffusionPipeline(path: path)
        keeping.releasesWeightsBetweenStages = false
        // f32 files in f32 mode: every component is a zero-copy view of its mapped file.
        for component in [SingleFileCheckpoint.Component.textEncoder, .unet, .vae] {
            #expect(!releasing.mappedWeights(component).isEmpty, "\(component) weights are not memory-mapped")
        }
        #expect(try Self.generate(releasing) == Self.generate(keeping))
        #if os(Linux)
        #expect(Self.resident(releasing) == 0)
        #expect(Self.resident(keeping) > 0)
        #endif
    }

    /// f16 mode keeps f16 files mapped — tiny-sd2 stores its UNet and text encoder in f16 — and holds the
    /// VAE's matrices in f16 too (its vectors in f32, `PrecisionPolicy`), computing in f32.
    @Test func f16ModeMapsF16Files() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd2", precision: .f16)
        #expect(!pipe.mappedWeights(.unet).isEmpty && !pipe.mappedWeights(.textEncoder).isEmpty)
        #expect(Set(pipe.vae.storedDTypes.keys) == [.f16, .f32])
        #expect(pipe.vae.dtype == .f32 && pipe.unet.dtype == .f32 && pipe.textEncoder?.dtype == .f32)
    }
}

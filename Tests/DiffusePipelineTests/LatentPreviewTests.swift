import Foundation
import Testing
import DiffuseCore
import DiffuseImage
import DiffusePipeline
import DiffuseTestSupport

/// Previews (`LatentPreview`, `StableDiffusionPipeline.preview`, `--preview`).
@Suite struct LatentPreviewTests {
    /// A worked example of the projection: latent pixel (1, −0.5, 0.25, 2) through SD's factors gives
    /// R = 0.3512 − 0.1625 − 0.070725 − 0.424 = −0.306025 → (1 − 0.306025) / 2 · 255 = 88.48 → 88;
    /// G = 0.2297 − 0.2487 + 0.04405 − 0.5232 = −0.49815 → 63.98 → 64; B = 0.3227 − 0.1175 + 0.068025
    /// − 1.4354 = −1.162175 → below −1 → 0. The second pixel (all zero) is mid-grey: 127.5 → 128.
    @Test func projectionMatchesAWorkedExample() {
        let latents = Tensor([1, 0, -0.5, 0, 0.25, 0, 2, 0], shape: [1, 4, 1, 2])
        let image = LatentPreview(family: .stableDiffusion).images(latents)[0]
        #expect(image.width == 2 && image.height == 1)
        #expect(Array(image.pixels[0..<3]) == [88, 64, 0])
        #expect(Array(image.pixels[3..<6]) == [128, 128, 128])
    }

    /// Without a tiny autoencoder the preview is one pixel per latent; with one, its full decode (the
    /// same as the pipeline's decode of those latents).
    @Test func pipelinePreviewSizes() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        let latents = Tensor((0..<(2 * 4 * 16 * 16)).map { Float($0 % 7) / 7 - 0.5 }, shape: [2, 4, 16, 16])
        let previews = try pipe.preview(latents: latents)
        #expect(previews.count == 2 && previews.allSatisfy { $0.width == 16 && $0.height == 16 })
        let tiny = try PipelineFixture.pipeline("tiny-sd1", vae: "tiny-taesd")
        let decoded = try tiny.preview(latents: latents)
        #expect(decoded.count == 2 && decoded[0].width == 32 && decoded[0].height == 32)
        #expect(decoded[1].pixels == RGBImage(tensor: try tiny.decode(latents: latents).toHost().sliced(dim: 0, 1..<2)).pixels)
    }
}

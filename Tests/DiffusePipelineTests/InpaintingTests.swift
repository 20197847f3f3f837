#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseCore
import DiffuseImage
import DiffusePipeline
import DiffuseTestSupport

/// The fields of Fixtures/inpaint/cases.json beyond `PipelineCase`'s (Scripts/fixtures/inpaint.py).
struct InpaintCase: Decodable, Sendable, CustomStringConvertible {
    /// "unet9" (tiny-sd1-inpaint), "unet4" (tiny-sd1 inpainting), "sdxl-unet4" (tiny-sdxl inpainting), "img2img" (tiny-sd1).
    let kind: String
    let `case`: String
    var description: String { `case` }
}

/// Inpainting and init images of any size against diffusers' `StableDiffusionInpaintPipeline` /
/// `StableDiffusionImg2ImgPipeline` (Fixtures/inpaint/cases.*): the pictures go through Diffuse's
/// resize (`RGBImage.resized`, Pillow's Lanczos) and mask (`maskTensor`) as diffusers' `VaeImageProcessor`
/// and `mask_processor` do. Same tolerances as `PipelineFixtureTests` (timesteps exact; latents and decoded
/// images 1e-4 relative to their largest value; pixels ≤ 1 level). The `--keep-unmasked` overlay is
/// compared with diffusers' `apply_overlay` within 1 level: Pillow premultiplies the original by the
/// inverted mask, unpremultiplies and alpha-composites in 8-bit steps, each rounding once, where Diffuse
/// blends in float and rounds once.
@Suite struct InpaintingTests {
    static let fixture = Result { try CaseFiles.cases("inpaint", InpaintCase.self) }
    static let names = (try? fixture.get().map(\.0.case)) ?? []
    static let tensors = Result { try CaseFiles.tensors("inpaint") }
    static func picture(_ name: String) throws -> RGBImage { try CaseFiles.picture(tensors.get(), name) }

    @Test(arguments: names)
    func caseMatchesDiffusers(_ name: String) throws {
        guard let (c, extra) = try Self.fixture.get().first(where: { $0.1.case == name }) else { return }
        let tensors = try Self.tensors.get()
        let pipe = try PipelineFixture.pipeline(extra.kind == "unet9" ? "inpaint/tiny-sd1-inpaint" : extra.kind.hasPrefix("sdxl") ? "tiny-sdxl" : "tiny-sd1")
        let original = try Self.picture("\(name).init_image")
        var config = try c.configuration(initImage: nil)
        let size: (width: Int, height: Int)
        if extra.kind == "img2img" {
            // no size given: the picture's own, rounded down to a multiple of 8
            size = try #require(original.targetSize(width: nil, height: nil, multiple: 8))
            #expect(size.width == c.width && size.height == c.height)
        } else {
            size = try #require(original.targetSize(width: c.width, height: c.height, multiple: 8))
        }
        let initImage = original.resized(width: size.width, height: size.height)
        config.initImage = initImage.tensor()
        config.strength = c.strength
        var mask: RGBImage? = nil
        if extra.kind != "img2img" {
            mask = try Self.picture("\(name).mask").resized(width: size.width, height: size.height)
            config.maskImage = mask!.maskTensor()
        }
        let result = try pipe.generate(config)

        try expectMatchesCase(result, tensors, name, label: "inpaint")

        if let mask {
            let overlay = try tensors.tensor("\(name).overlay").hostContiguous()
            let ours = result.rgbImages.flatMap { $0.overlaying(original: initImage, mask: mask).pixels }.map(Int.init)
            let o = pixelDifference(ours, (0..<overlay.count).map { Int(overlay.scalar(atFlat: $0)) })
            #expect(o.max <= 1, "\(name) overlay: pixels differ by up to \(o.max)")
        }
    }

    /// Bad inputs: a mask without an init image, a mask of another size, an inpainting UNet without a mask.
    @Test func badInputsAreRefused() throws {
        let pipe = try PipelineFixture.pipeline("inpaint/tiny-sd1-inpaint")
        var config = GenerationConfiguration(prompt: "a cat")
        config.steps = 2
        config.width = 32
        config.height = 32
        #expect(throws: PipelineError.self) { try pipe.validate(config) }       // 9 channels, no mask
        config.maskImage = Tensor([Float](repeating: 1, count: 32 * 32), shape: [1, 1, 32, 32])
        #expect(throws: PipelineError.self) { try pipe.validate(config) }       // mask, no init image
        config.initImage = Tensor([Float](repeating: 0, count: 3 * 32 * 32), shape: [1, 3, 32, 32])
        let size = try pipe.validate(config)
        #expect(size.width == 32 && size.height == 32)
        config.maskImage = Tensor([Float](repeating: 1, count: 16 * 32), shape: [1, 1, 16, 32])
        let error = #expect(throws: PipelineError.self) { try pipe.validate(config) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("resize the mask"))
    }
}

import DiffuseImage
import Testing
import Foundation
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// `diffuse generate --init-image --mask` (and init images of any size) as a process, on the inpainting
/// fixture cases (Fixtures/inpaint/cases.json): the pictures are written as PNGs at their own sizes, the
/// command resizes them, and the PNG it writes equals diffusers' image within 1 level of 255
/// (`InpaintingTests` explains the ±1); with `--keep-unmasked`, diffusers' `apply_overlay` of it within 1
/// level. The `parameters` chunk has the chosen size.
@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct GenerateInpaintCommandTests {
    @Test(arguments: InpaintingTests.names)
    func pngEqualsDiffusers(_ name: String) throws {
        guard let (c, extra) = try InpaintingTests.fixture.get().first(where: { $0.1.case == name }) else { return }
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = extra.kind == "unet9" ? "inpaint/tiny-sd1-inpaint" : extra.kind.hasPrefix("sdxl") ? "tiny-sdxl" : "tiny-sd1"
        try InpaintingTests.picture("\(name).init_image").writePNG(to: folder + "/init.png")
        var arguments = ["--model", FixturePaths.path(model), "--steps", "\(c.steps)", "--guidance-scale", "\(c.guidance)",
                         "--seed", "\(c.seed)", "--images", "\(c.images)", "--init-image", "init.png",
                         "--strength", "\(c.strength)", "--output", "out.png", c.prompt]
        if let scheduler = c.scheduler { arguments += ["--scheduler", scheduler] }
        let inpainting = extra.kind != "img2img"
        if inpainting {
            try InpaintingTests.picture("\(name).mask").writePNG(to: folder + "/mask.png")
            arguments += ["--mask", "mask.png", "--width", "\(c.width)", "--height", "\(c.height)"]
        }
        let run = try GenerateCommandTests.run(arguments, in: folder)
        #expect(run.status == 0, "\(name): \(run.stderr)")
        #expect(run.stdout.contains("Size: \(c.width)×\(c.height)"), "\(name): \(run.stdout)")
        let overlaid = inpainting ? try GenerateCommandTests.run(arguments.map { $0 == "out.png" ? "kept.png" : $0 } + ["--keep-unmasked"], in: folder) : nil
        #expect(overlaid.map { $0.status == 0 } ?? true, "\(name): \(overlaid?.stderr ?? "")")

        let tensors = try InpaintingTests.tensors.get()
        for (file, key) in [("out", "image"), ("kept", "overlay")] where inpainting || file == "out" {
            let images = writtenImages(folder, stem: file, expected: try tensors.tensor("\(name).\(key)"), count: c.images)
            for (i, (path, want)) in images.enumerated() {
                let picture = try RGBImage(contentsOf: path)
                #expect(picture.width == c.width && picture.height == c.height)
                let diff = pixelDifference(picture.pixels.map(Int.init), want)
                #expect(diff.max <= 1, "\(name) \(file) image \(i): differs by up to \(diff.max)")
                let parameters = try RGBImage.pngText(contentsOf: path).first { $0.key == "parameters" }?.value ?? ""
                #expect(parameters.contains("Size: \(c.width)x\(c.height)"), "\(parameters)")
            }
        }
    }

    /// `--resize-mode crop|fill` and `--mask-blur` reach the pipeline: a 48×24 picture made 32×32 gives the
    /// library's run on `RGBImage.resized(…, mode:)` of it (and of the blurred mask), pixel for pixel.
    @Test(arguments: [ResizeMode.crop, .fill])
    func resizeModeAndMaskBlur(_ mode: ResizeMode) throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let picture = RGBImage(width: 48, height: 24, pixels: (0..<(48 * 24 * 3)).map { UInt8(($0 * 37) % 256) })
        let mask = RGBImage(width: 48, height: 24, pixels: (0..<(48 * 24)).flatMap { i -> [UInt8] in
            let v: UInt8 = i % 48 > 20 && i / 48 > 6 ? 255 : 0
            return [v, v, v]
        })
        try picture.writePNG(to: folder + "/init.png")
        try mask.writePNG(to: folder + "/mask.png")
        let run = try GenerateCommandTests.run(["--model", FixturePaths.path("tiny-sd1"), "--steps", "2", "--seed", "3",
                                                "--init-image", "init.png", "--mask", "mask.png", "--strength", "0.5",
                                                "--width", "32", "--height", "32", "--resize-mode", mode.rawValue,
                                                "--mask-blur", "2", "--quiet", "--output", "out.png", "a cat"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        var config = GenerationConfiguration(prompt: "a cat")
        (config.steps, config.seed, config.strength) = (2, 3, 0.5)
        config.initImage = picture.resized(width: 32, height: 32, mode: mode).tensor()
        config.maskImage = mask.maskBlurred(radius: 2).resized(width: 32, height: 32, mode: mode).maskTensor()
        let library = try PipelineFixture.pipeline("tiny-sd1").generate(config).rgbImages[0]
        #expect(try RGBImage(contentsOf: folder + "/out.png").pixels == library.pixels)
        let parameters = try RGBImage.pngText(contentsOf: folder + "/out.png").first { $0.key == "parameters" }?.value ?? ""
        #expect(parameters.contains("Size: 32x32") && parameters.contains("Denoising strength: 0.5, Mask blur: 2"), "\(parameters)")
    }
}

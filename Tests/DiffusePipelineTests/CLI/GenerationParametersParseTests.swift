import Testing
import Foundation
import DiffuseImage
import DiffusePipeline
import DiffuseTestSupport

/// `GenerationParameters(text:)` reads back what `text` writes and what AUTOMATIC1111 writes (issue #20
/// item 6), and `diffuse generate --from-png` re-makes a PNG's image.
struct GenerationParametersParseTests {
    @Test func readsBackWhatItWrites() throws {
        var p = GenerationParameters(prompt: "a cat\non two lines", negativePrompt: "blurry, dark", steps: 20,
                                     sampler: "DPM++ 2M Karras", guidanceScale: 7.5, seed: 1234, width: 512, height: 768,
                                     model: "sd15")
        (p.modelHash, p.version, p.vae, p.strength, p.maskBlur) = ("bcad293a3b", DiffuseVersion.tag, "taesd", 0.75, 4)
        (p.clipSkip, p.batchSize, p.batchPosition) = (1, 4, 2)
        p.loras = [.init(name: "style", scale: 0.8)]
        #expect(try GenerationParameters(text: p.text) == p)
    }

    @Test func readsAnA1111Infotext() throws {
        let text = """
        masterpiece, (a cat:1.2) <lora:detail:0.5>
        Negative prompt: ugly, blurry
        Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 3581563720, Size: 512x768, \
        Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: "detail: 1a2b3c4d5e6f, x: 1", Clip skip: 2, \
        Version: v1.10.1
        """
        let p = try GenerationParameters(text: text)
        #expect(p.prompt == "masterpiece, (a cat:1.2)" && p.negativePrompt == "ugly, blurry")
        #expect(p.steps == 30 && p.sampler == "DPM++ 2M" && p.guidanceScale == 7 && p.seed == 3_581_563_720)
        #expect(p.width == 512 && p.height == 768 && p.clipSkip == 1)
        #expect(p.modelHash == "6ce0161689" && p.model == "v1-5-pruned-emaonly" && p.version == "v1.10.1")
        #expect(p.loras == [.init(name: "detail", scale: 0.5)])
        #expect(p.extra == ["Schedule type": "Karras", "Lora hashes": "detail: 1a2b3c4d5e6f, x: 1"])
    }

    @Test func refusesWhatIsNotParameters() {
        #expect(throws: GenerationParameters.ParseError.self) { try GenerationParameters(text: "just a caption") }
        #expect(throws: GenerationParameters.ParseError.self) { try GenerationParameters(text: "x\nSteps: many, Seed: 1") }
        #expect(throws: GenerationParameters.ParseError.self) { try GenerationParameters(text: "x\nSteps: 3, Size: big") }
    }

    @Test(.enabled(if: DiffuseBinary.path != nil)) func fromPNGMakesTheSameImage() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = ["--model", FixturePaths.path("tiny-sd1")]
        let first = try GenerateCommandTests.run(model + ["--seed", "7", "--steps", "3", "--sampler", "Euler a", "--cfg-scale", "5",
                                                          "--width", "40", "--height", "32", "--negative-prompt", "blurry",
                                                          "--clip-skip", "1", "--output", "a.png", "a photo of a cat"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        let again = try GenerateCommandTests.run(model + ["--from-png", "a.png", "--output", "b.png"], in: folder)
        #expect(again.status == 0, "\(again.stderr)")
        let (a, b) = (try RGBImage(contentsOf: folder + "/a.png"), try RGBImage(contentsOf: folder + "/b.png"))
        #expect(a.width == 40 && a.height == 32 && a.pixels == b.pixels)
        let text = { (name: String) in try RGBImage.pngText(contentsOf: folder + "/" + name).first { $0.key == "parameters" }?.value }
        #expect(try text("a.png") == text("b.png"))
        // An image-to-image PNG needs its init image again; a PNG without parameters is refused.
        let img2img = try GenerateCommandTests.run(model + ["--seed", "7", "--steps", "2", "--init-image", "a.png", "--strength", "0.5",
                                                            "--output", "c.png", "a dog"], in: folder)
        #expect(img2img.status == 0, "\(img2img.stderr)")
        let missing = try GenerateCommandTests.run(model + ["--from-png", "c.png", "--output", "d.png"], in: folder)
        #expect(missing.status == 1 && missing.stderr.contains("give that image with --init-image"), "\(missing.stderr)")
        try RGBImage(width: 8, height: 8, pixels: [UInt8](repeating: 0, count: 192)).writePNG(to: folder + "/plain.png")
        let plain = try GenerateCommandTests.run(model + ["--from-png", "plain.png"], in: folder)
        #expect(plain.status == 1 && plain.stderr.contains("has no parameters text chunk"), "\(plain.stderr)")
    }
}

import Testing
import Foundation
import DiffuseCore
import DiffuseImage
import DiffuseTestSupport

/// `diffuse generate --lora FILE[:SCALE]` (repeatable) as a process: the LoRA fixture cases give diffusers'
/// pictures (±1 level, as `GenerateCommandTests`), the `parameters` chunk names the adapters as A1111's
/// `<lora:name:scale>`, a partly matching file prints one warning, and bad LoRA input is one `error:` line
/// with nothing written.
@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct LoRACommandTests {
    static let all = (try? LoRAFixture.cases().cases) ?? []

    static func arguments(_ c: LoRACase, folder: String, tensors: SafeTensorsFile) throws -> [String] {
        let p = c.pipelineCase
        var arguments = ["--model", FixturePaths.path(c.model), "--steps", "\(p.steps)", "--guidance-scale", "\(p.guidance)",
                         "--seed", "\(p.seed)", "--negative-prompt", p.negative_prompt, "--images", "\(p.images)",
                         "--output", "out.png", "--quiet", p.prompt]
        for lora in c.loras { arguments += ["--lora", "\(LoRAFixture.path(lora.file)):\(lora.scale)"] }
        if let scheduler = p.scheduler { arguments += ["--scheduler", scheduler] }
        if p.img2img {
            let pixels = try tensors.tensor("\(p.case).init_image").hostContiguous()
            try RGBImage(width: pixels.size(1), height: pixels.size(0),
                         pixels: (0..<pixels.count).map { UInt8(pixels.scalar(atFlat: $0)) }).writePNG(to: folder + "/init.png")
            arguments += ["--init-image", "init.png", "--strength", "\(p.strength)"]
        } else {
            arguments += ["--width", "\(p.width)", "--height", "\(p.height)"]
        }
        return arguments
    }

    @Test(arguments: all)
    func pngEqualsDiffusers(_ c: LoRACase) throws {
        let tensors = try LoRAFixture.cases().tensors
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try GenerateCommandTests.run(try Self.arguments(c, folder: folder, tensors: tensors), in: folder)
        #expect(run.status == 0, "\(c): \(run.stderr)")
        #expect(run.stderr.isEmpty, "\(c): \(run.stderr)")
        let picture = try RGBImage(contentsOf: folder + "/out.png")
        let expected = try tensors.tensor("\(c.pipelineCase.case).image").hostContiguous()
        let diff = pixelDifference(picture.pixels.map(Int.init), (0..<expected.count).map { Int(expected.scalar(atFlat: $0)) })
        print("lora \(c): max pixel difference \(diff.max) (\(diff.differing) of \(expected.count))")
        #expect(diff.max <= 1, "\(c)")
        let parameters = try RGBImage.pngText(contentsOf: folder + "/out.png").first { $0.key == "parameters" }?.value ?? ""
        let tags = c.loras.map { "<lora:\($0.file):\($0.scale)>" }.joined(separator: " ")
        #expect(parameters.hasPrefix(c.pipelineCase.prompt + " " + tags + "\n"), "\(parameters)")
    }

    @Test func partlyMatchingFileWarns() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try LoRAErrorTests.kohya([("lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q", [32, 4], [4, 32]),
                                  ("lora_unet_down_blocks_0_attentions_7_proj_in", [32, 4], [4, 32])], at: folder + "/partial.safetensors")
        let run = try GenerateCommandTests.run(["--model", FixturePaths.path("tiny-sd1"), "--steps", "1", "--seed", "1",
                                                "--width", "32", "--height", "32", "--output", "out.png",
                                                "--lora", "partial.safetensors:0.7", "a cat"], in: folder)
        print("partial: \(run.status) \(run.stderr)")
        #expect(run.status == 0, "\(run.stderr)")
        let warnings = run.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings == ["warning: partial.safetensors: 1 of 2 LoRA keys match no weight of this model and are ignored: lora_unet_down_blocks_0_attentions_7_proj_in.lora_down.weight"],
                "\(run.stderr)")
        #expect(GenerateCommandTests.files(in: folder) == ["out.png", "partial.safetensors"])
    }

    static let badInputs: [(String, [String])] = [
        ("missing LoRA file", ["--lora", "missing.safetensors"]),
        ("pickle LoRA", ["--lora", "style.ckpt:0.5"]),
        ("not a LoRA", ["--lora", FixturePaths.path("tiny-sd1/unet/diffusion_pytorch_model.safetensors")]),
        ("scale not finite", ["--lora", LoRAFixture.path("sd1-kohya") + ":inf"]),
        ("LoRA for another model", ["--lora", "other.safetensors"]),
    ]

    @Test(arguments: badInputs.map(\.0))
    func badInput(_ name: String) throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try LoRAErrorTests.kohya([("lora_unet_double_blocks_0_img_attn_qkv", [96, 4], [4, 32])], at: folder + "/other.safetensors")
        let before = GenerateCommandTests.files(in: folder)
        let arguments = Self.badInputs.first { $0.0 == name }!.1
        let run = try GenerateCommandTests.run(["--model", FixturePaths.path("tiny-sd1"), "--steps", "1", "--seed", "1",
                                                "--output", "out.png"] + arguments + ["a cat"], in: folder)
        print("\(name): exit \(run.status), \(run.stderr)", terminator: "")
        #expect(run.status != 0)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(name): \(run.stderr)")
        #expect(GenerateCommandTests.files(in: folder) == before, "\(name): nothing written")
    }
}

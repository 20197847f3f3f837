import DiffuseImage
import Testing
import Foundation
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// `diffuse generate` run as a process (the binary SwiftPM built next to the tests:
/// `.build/debug/diffuse`, or `$DIFFUSE_BINARY`). Skipped when no binary is found; build it first
/// (`swift build`, which `swift test` does).
///
/// - Every fixture case (Fixtures/tiny-sd*/pipeline_cases.json, SDXL's included, and tiny-taesd's: tiny-sd1 with
///   `--vae`) through the command: the PNGs it writes
///   equal diffusers' `output_type="pil"` images within 1 level of 255 (the library tests explain the
///   ±1), with the `parameters` chunk.
/// - Bad input: exit code ≠ 0, exactly one stderr line starting `error: `, and nothing written.
@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct GenerateCommandTests {
    static var binary: String? { DiffuseBinary.path }


    struct Run { let status: Int32; let stdout: String; let stderr: String }

    static func run(_ arguments: [String], in folder: String, command: String = "generate") throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary!)
        process.arguments = [command] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.path + "/diffuse-cli-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    // MARK: - Equality with diffusers

    /// Every fixture's cases; "vae-tiling" runs tiny-sd1 with `--vae-tiling`, "tiny-taesd" tiny-sd1 with `--vae`,
    /// "prompt-syntax" its cases' models with `--prompt-syntax a1111`.
    static let allCases: [(String, PipelineCase)] =
        ["tiny-sd1", "tiny-sd2", "tiny-sdxl", "tiny-sdxl-refiner", "tiny-taesd", "vae-tiling", "prompt-syntax"].flatMap { (name: String) -> [(String, PipelineCase)] in
            ((try? PipelineFixture.cases(name).cases) ?? []).map { (name, $0) }
        }

    @Test(arguments: allCases.map { "\($0.0)/\($0.1.case)" })
    func pngEqualsDiffusers(_ id: String) throws {
        let (name, c) = Self.allCases.first { "\($0.0)/\($0.1.case)" == id }!
        let tensors = try PipelineFixture.cases(name).tensors
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = c.model ?? (name == "tiny-taesd" || name == "vae-tiling" ? "tiny-sd1" : name)   // their cases run tiny-sd1
        var arguments = ["--model", FixturePaths.path(model), "--steps", "\(c.steps)", "--guidance-scale", "\(c.guidance)",
                         "--seed", "\(c.seed)", "--negative-prompt", c.negative_prompt, "--images", "\(c.images)",
                         "--output", "out.png", "--quiet", c.prompt]
        if let scheduler = c.scheduler { arguments += ["--scheduler", scheduler] }
        if name == "vae-tiling" { arguments.append("--vae-tiling") }
        if name == "prompt-syntax" { arguments += ["--prompt-syntax", "a1111"] }
        if let spacing = c.timestep_spacing { arguments += ["--timestep-spacing", spacing] }
        if let prompt2 = c.prompt_2 { arguments += ["--prompt-2", prompt2] }
        if let negative2 = c.negative_prompt_2 { arguments += ["--negative-prompt-2", negative2] }
        if let score = c.aesthetic_score { arguments += ["--aesthetic-score", "\(score)"] }
        if let score = c.negative_aesthetic_score { arguments += ["--negative-aesthetic-score", "\(score)"] }
        if let vae = c.vae { arguments += ["--vae", FixturePaths.path(vae)] }
        if c.img2img {
            let pixels = try tensors.tensor("\(c.case).init_image").hostContiguous()
            let picture = RGBImage(width: pixels.size(1), height: pixels.size(0),
                                   pixels: (0..<pixels.count).map { UInt8(pixels.scalar(atFlat: $0)) })
            try picture.writePNG(to: folder + "/init.png")
            arguments += ["--init-image", "init.png", "--strength", "\(c.strength)"]
        } else {
            arguments += ["--width", "\(c.width)", "--height", "\(c.height)"]
        }
        let run = try Self.run(arguments, in: folder)
        #expect(run.status == 0, "\(id): \(run.stderr)")
        #expect(run.stdout.isEmpty && run.stderr.isEmpty, "--quiet prints nothing: \(run.stdout)\(run.stderr)")

        for (i, (path, want)) in writtenImages(folder, expected: try tensors.tensor("\(c.case).image"), count: c.images).enumerated() {
            let picture = try RGBImage(contentsOf: path)
            let diff = pixelDifference(picture.pixels.map(Int.init), want)
            print("\(id) image \(i): max pixel difference \(diff.max) (\(diff.differing) of \(want.count))")
            #expect(diff.max <= 1, "\(id) image \(i)")
            let text = try RGBImage.pngText(contentsOf: path)
            let parameters = text.first { $0.key == "parameters" }?.value ?? ""
            #expect(parameters.hasPrefix(c.prompt + "\n"))
            #expect(parameters.contains("Steps: \(c.steps), Sampler: "))
            #expect(parameters.contains("Seed: \(c.seed), Size: \(c.width)x\(c.height), Model hash: "))
            #expect(parameters.contains(", Model: \(model)"
                                        + (c.vae.map { ", VAE: " + GenerateCommandTests.lastComponent($0) } ?? "")))
        }
    }

    /// `--preview FILE`: rewritten while denoising (here after steps 2 and 3 of 3), one pixel per latent
    /// without a tiny autoencoder (16×16 for tiny-sd1's 32×32) and the full size with `--vae` TAESD; the
    /// final preview equals `LatentPreview` of the final latents' projection, and the output is unchanged.
    @Test func previewIsWritten() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let common = ["--model", FixturePaths.path("tiny-sd1"), "--steps", "3", "--seed", "5", "--width", "32", "--height", "32",
                      "--quiet", "a photo of a cat"]
        let plain = try Self.run(common + ["--output", "plain.png"], in: folder)
        let run = try Self.run(common + ["--output", "out.png", "--preview", "preview.png", "--preview-every", "2"], in: folder)
        #expect(plain.status == 0 && run.status == 0, "\(run.stderr)")
        let preview = try RGBImage(contentsOf: folder + "/preview.png")
        #expect(preview.width == 16 && preview.height == 16)
        #expect(try RGBImage(contentsOf: folder + "/out.png").pixels == RGBImage(contentsOf: folder + "/plain.png").pixels)
        var config = GenerationConfiguration(prompt: "a photo of a cat")
        (config.steps, config.seed, config.width, config.height) = (3, 5, 32, 32)
        let latents = try PipelineFixture.pipeline("tiny-sd1").generate(config).latents
        #expect(preview.pixels == LatentPreview(family: .stableDiffusion).images(latents)[0].pixels)

        let tiny = try Self.run(common + ["--vae", FixturePaths.path("tiny-taesd"), "--output", "t.png", "--preview", "tp.png"], in: folder)
        #expect(tiny.status == 0, "\(tiny.stderr)")
        let full = try RGBImage(contentsOf: folder + "/tp.png")
        #expect(full.width == 32 && full.height == 32)
        let same = try Self.run(common + ["--output", "x.png", "--preview", "x.png"], in: folder)
        #expect(same.status != 0 && same.stderr.hasPrefix("error: ") && same.stderr.contains("--preview"))
    }

    /// A JPEG init image (24×16, from the image tests' fixtures) through the command equals the library
    /// run on the same decoded pixels.
    @Test func jpegInitImage() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let jpeg = [UInt8](Data(base64Encoded: ImageFixtures.all["jpegBaseline444"]!.file)!)
        try Data(jpeg).write(to: URL(fileURLWithPath: folder + "/in.jpg"))
        let run = try Self.run(["--model", FixturePaths.path("tiny-sd1"), "--steps", "4", "--seed", "9",
                                "--init-image", "in.jpg", "--strength", "0.5", "--scheduler", "euler-a",
                                "--output", "out.png", "a photo of a cat"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Wrote out.png"))
        let written = try RGBImage(contentsOf: folder + "/out.png")
        #expect(written.width == 24 && written.height == 16)

        var config = GenerationConfiguration(prompt: "a photo of a cat")
        config.steps = 4
        config.seed = 9
        config.scheduler = .eulerAncestral
        config.strength = 0.5
        config.initImage = try RGBImage(data: jpeg, source: "in.jpg").tensor()
        let library = try PipelineFixture.pipeline("tiny-sd1").generate(config).rgbImages[0]
        #expect(written.pixels == library.pixels)
        let parameters = try RGBImage.pngText(contentsOf: folder + "/out.png").first { $0.key == "parameters" }?.value
        // Model hash: `sha256sum Fixtures/tiny-sd1/unet/diffusion_pytorch_model.safetensors | cut -c1-10`.
        #expect(parameters == "a photo of a cat\nSteps: 4, Sampler: Euler a, CFG scale: 7.5, Seed: 9, Size: 24x16, Model hash: bcad293a3b, Model: tiny-sd1, Denoising strength: 0.5, Version: \(DiffuseVersion.tag)")
    }

    static func lastComponent(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }

    // MARK: - Bad input

    static let badInputs: [(String, [String])] = [
        ("unknown scheduler", ["--scheduler", "heun"]),
        ("lcm steps over original_inference_steps", ["--scheduler", "lcm", "--steps", "60"]),
        ("zero steps", ["--steps", "0"]),
        ("negative steps", ["--steps=-3"]),
        ("width not a multiple of 8", ["--width", "30"]),
        ("too large", ["--width", "100000"]),
        ("too large for memory", ["--width", "4096", "--height", "4096", "--images", "64"]),
        ("over --memory-limit", ["--memory-limit", "1MiB"]),
        ("bad --memory-limit", ["--memory-limit", "lots"]),
        ("strength above 1", ["--init-image", "init.png", "--strength", "1.5"]),
        ("strength below 0", ["--init-image", "init.png", "--strength=-0.5"]),
        ("strength without image", ["--strength", "0.5"]),
        ("missing image", ["--init-image", "nope.png"]),
        ("corrupt image", ["--init-image", "corrupt.png"]),
        ("image side under 8 pixels", ["--init-image", "thin.png"]),
        ("mask without init image", ["--mask", "init.png"]),
        ("missing mask", ["--init-image", "init.png", "--mask", "nope.png"]),
        ("unknown resize mode", ["--init-image", "init.png", "--resize-mode", "squash"]),
        ("mask blur without mask", ["--init-image", "init.png", "--mask-blur", "4"]),
        ("negative mask blur", ["--init-image", "init.png", "--mask", "init.png", "--mask-blur=-1"]),
        ("keep unmasked without mask", ["--init-image", "init.png", "--keep-unmasked"]),
        ("inpainting model without mask", ["--model", FixturePaths.path("inpaint/tiny-sd1-inpaint"), "--init-image", "init.png"]),
        ("folder without unet", ["--model", "no-unet"]),
        ("vae not found", ["--vae", "no-such-vae"]),
        ("vae is a pipeline folder", ["--vae", FixturePaths.path("tiny-sd1")]),
        ("vae is a file", ["--vae", FixturePaths.path("tiny-taesd/config.json")]),
        ("vae is another model", ["--vae", FixturePaths.path("tiny-sd1/unet")]),
        ("vae with other latent channels", ["--vae", "wide-vae"]),
        ("empty model", ["--model", ""]),
        ("a hundred million images", ["--images", "100000000"]),
        ("unknown A1111 sampler", ["--sampler", "DPM++ 3M SDE"]),
        ("unknown attention", ["--attention", "turbo"]),
        ("unknown precision", ["--precision", "f8"]),
        ("unknown prompt syntax", ["--prompt-syntax", "comfy"]),
        ("a1111 weight not a number", ["--prompt-syntax", "a1111", "--negative-prompt", "(blurry:1.2.3)"]),
        ("compile with sliced attention", ["--compile", "--attention", "sliced"]),
        ("jpeg output", ["--output", "x.jpg"]),
        ("missing output folder", ["--output", "missing/x.png"]),
    ]

    @Test(arguments: badInputs.map(\.0))
    func badInput(_ name: String) throws {
        let arguments = Self.badInputs.first { $0.0 == name }!.1
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try RGBImage(width: 32, height: 32, pixels: [UInt8](repeating: 128, count: 32 * 32 * 3)).writePNG(to: folder + "/init.png")
        try RGBImage(width: 4, height: 32, pixels: [UInt8](repeating: 128, count: 4 * 32 * 3)).writePNG(to: folder + "/thin.png")
        try Data("not an image at all".utf8).write(to: URL(fileURLWithPath: folder + "/corrupt.png"))
        try FileManager.default.createDirectory(atPath: folder + "/no-unet", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: folder + "/wide-vae", withIntermediateDirectories: false)
        let taesdConfig = String(decoding: try Data(contentsOf: URL(fileURLWithPath: FixturePaths.path("tiny-taesd/config.json"))), as: UTF8.self)
        try Data(taesdConfig.replacingOccurrences(of: "\"latent_channels\": 4", with: "\"latent_channels\": 16").utf8)
            .write(to: URL(fileURLWithPath: folder + "/wide-vae/config.json"))
        try FileManager.default.createSymbolicLink(atPath: folder + "/wide-vae/diffusion_pytorch_model.safetensors",
                                                   withDestinationPath: FixturePaths.path("tiny-taesd/diffusion_pytorch_model.safetensors"))
        for item in ["model_index.json", "scheduler", "text_encoder", "tokenizer", "vae"] {
            try FileManager.default.createSymbolicLink(atPath: folder + "/no-unet/" + item,
                                                       withDestinationPath: FixturePaths.path("tiny-sd1/" + item))
        }
        let before = Self.files(in: folder)
        var all = ["--model", FixturePaths.path("tiny-sd1"), "--steps", "2", "--seed", "1"]
        if arguments.first == "--model" { all = ["--steps", "2", "--seed", "1"] }
        let run = try Self.run(all + arguments + ["a cat"], in: folder)
        print("\(name): exit \(run.status), \(run.stderr)", terminator: "")
        #expect(run.status != 0, "\(name)")
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].hasPrefix("error: "), "\(name): one error line, got \(run.stderr)")
        #expect(Self.files(in: folder) == before, "\(name): no output left behind")
    }
}

/// The `diffuse` executable to test: `$DIFFUSE_BINARY`, else `.build/debug/diffuse` or `.build/release/diffuse`.
enum DiffuseBinary {
    static let path: String? = {
        if let path = ProcessInfo.processInfo.environment["DIFFUSE_BINARY"] { return path }
        let build = FixturePaths.root + "/../.build"
        for candidate in [build + "/debug/diffuse", build + "/release/diffuse"]
        where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        return nil
    }()
}

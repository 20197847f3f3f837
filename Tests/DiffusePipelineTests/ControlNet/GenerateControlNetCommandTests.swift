import Testing
import Foundation
import DiffuseCore
import DiffuseImage
import DiffusePipeline
import DiffuseTestSupport

/// `diffuse generate --controlnet … --control-image …` as a process, on the ControlNet fixture cases
/// (Fixtures/controlnet/cases.json): the control pictures are written as PNGs at their own sizes, the
/// command resizes them, and the PNG it writes equals diffusers' image within 1 level of 255
/// (`ControlNetPipelineTests` explains the ±1). `--control-preprocess canny` and the option rules too.
@Suite(.enabled(if: DiffuseBinary.path != nil, "no diffuse binary; run swift build"))
struct GenerateControlNetCommandTests {
    @Test(arguments: ControlNetPipelineTests.names)
    func pngEqualsDiffusers(_ name: String) throws {
        guard let (c, extra) = try ControlNetPipelineTests.fixture.get().first(where: { $0.1.case == name }) else { return }
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var arguments = ["--model", FixturePaths.path(extra.family == "sdxl" ? "tiny-sdxl" : "tiny-sd1"), "--steps", "\(c.steps)",
                         "--guidance-scale", "\(c.guidance)", "--seed", "\(c.seed)", "--images", "\(c.images)",
                         "--width", "\(c.width)", "--height", "\(c.height)", "--output", "out.png", c.prompt]
        for (i, net) in extra.controlnets.enumerated() {
            try ControlNetPipelineTests.picture("\(name).control.\(i)").writePNG(to: folder + "/control\(i).png")
            arguments += ["--controlnet", FixturePaths.path("controlnet/" + net), "--control-image", "control\(i).png",
                          "--control-scale", "\(extra.scales[i])", "--control-start", "\(extra.starts[i])",
                          "--control-end", "\(extra.ends[i])"]
        }
        if extra.guess_mode { arguments.append("--control-guess-mode") }
        let run = try GenerateCommandTests.run(arguments, in: folder)
        #expect(run.status == 0, "\(name): \(run.stderr)")

        let expected = try ControlNetPipelineTests.tensors.get().tensor("\(name).image")
        for (i, (path, want)) in writtenImages(folder, expected: expected, count: c.images).enumerated() {
            let picture = try RGBImage(contentsOf: path)
            let diff = pixelDifference(picture.pixels.map(Int.init), want)
            #expect(diff.max <= 1, "\(name) image \(i): differs by up to \(diff.max)")
            let parameters = try RGBImage.pngText(contentsOf: path).first { $0.key == "parameters" }?.value ?? ""
            #expect(parameters.contains("ControlNet 0: \"Module: none, Model: \(extra.controlnets[0]), Weight: \(extra.scales[0])"),
                    "\(parameters)")
        }
    }

    /// `--control-preprocess canny`: the picture is resized, then its Canny edges steer the ControlNet —
    /// the library's run on `cannyEdges` of the resized picture, pixel for pixel; without --width/--height
    /// the control picture sets the size (40×24 → 40×24, multiples of 8).
    @Test func cannyPreprocessing() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let picture = try ControlNetPipelineTests.picture("one-scale-0.9.control.0")   // 40×24
        try picture.writePNG(to: folder + "/photo.png")
        let run = try GenerateCommandTests.run(["--model", FixturePaths.path("tiny-sd1"), "--steps", "2", "--seed", "5",
                                                "--controlnet", FixturePaths.path("controlnet/tiny-sd1-controlnet-a"),
                                                "--control-image", "photo.png", "--control-preprocess", "canny",
                                                "--canny-low", "50", "--canny-high", "120", "--output", "out.png", "a cat"], in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Size: 40×24"), "\(run.stdout)")
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        var config = GenerationConfiguration(prompt: "a cat")
        (config.steps, config.seed, config.width, config.height) = (2, 5, 40, 24)
        let edges = picture.cannyEdges(low: 50, high: 120)
        config.controlNets = [ControlNetCondition(model: try ControlNetPipelineTests.controlNet("tiny-sd1-controlnet-a", for: pipe),
                                                  image: edges.controlTensor())]
        let library = try pipe.generate(config).rgbImages[0]
        #expect(try RGBImage(contentsOf: folder + "/out.png").pixels == library.pixels)
        let parameters = try RGBImage.pngText(contentsOf: folder + "/out.png").first { $0.key == "parameters" }?.value ?? ""
        #expect(parameters.contains("Module: canny") && parameters.contains("Threshold A: 50.0, Threshold B: 120.0"), "\(parameters)")
    }

    /// A single-file ControlNet in the original layout (`control_model.…`) with `--controlnet-config` gives the
    /// folder's image, byte for byte; without the config the tiny file is not recognised and the message says
    /// to give one.
    @Test func singleFileControlNet() throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try ControlNetPipelineTests.picture("one-scale-0.9.control.0").writePNG(to: folder + "/control.png")
        let common = ["--model", FixturePaths.path("tiny-sd1"), "--steps", "2", "--seed", "9", "--width", "32", "--height", "32",
                      "--control-image", "control.png", "--quiet", "a cat"]
        let netFolder = FixturePaths.path("controlnet/tiny-sd1-controlnet-a")
        let file = FixturePaths.path("controlnet-single-file/tiny-sd1-controlnet-a.safetensors")
        let fromFolder = try GenerateCommandTests.run(common + ["--controlnet", netFolder, "--output", "a.png"], in: folder)
        let fromFile = try GenerateCommandTests.run(common + ["--controlnet", file, "--controlnet-config", netFolder, "--output", "b.png"],
                                                    in: folder)
        #expect(fromFolder.status == 0 && fromFile.status == 0, "\(fromFolder.stderr) \(fromFile.stderr)")
        #expect(try RGBImage(contentsOf: folder + "/a.png").pixels == RGBImage(contentsOf: folder + "/b.png").pixels)
        let unrecognised = try GenerateCommandTests.run(common + ["--controlnet", file, "--output", "c.png"], in: folder)
        #expect(unrecognised.status == 1 && unrecognised.stderr.contains("--controlnet-config"), "\(unrecognised.stderr)")
    }

    /// Option mistakes are usage errors with one line saying what to change, before any model loads.
    @Test(arguments: [
        (["--control-image", "x.png"], "--control-image needs --controlnet"),
        (["--controlnet", "a", "--controlnet", "b", "--control-image", "x.png", "--control-scale", "1", "--control-scale", "2",
          "--control-scale", "3"], "--control-scale is given 3 times for 2 --controlnet"),
        (["--controlnet", "a"], "--controlnet needs --control-image"),
        (["--controlnet", "a", "--control-image", "x.png", "--control-preprocess", "depth"], "none or canny"),
        (["--controlnet", "a", "--control-image", "x.png", "--control-start", "0.8", "--control-end", "0.2"], "0 ≤ start < end ≤ 1"),
        (["--controlnet", "a", "--control-image", "x.png", "--control-scale", "nan"], "--control-scale must be between"),
        (["--controlnet", "no-such-folder-here", "--control-image", "x.png"], "no-such-folder-here"),
    ])
    func badOptions(_ extra: [String], _ message: String) throws {
        let folder = try GenerateCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try GenerateCommandTests.run(["--model", FixturePaths.path("tiny-sd1"), "--steps", "1", "a cat"] + extra, in: folder)
        #expect(run.status == 1, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect((try FileManager.default.contentsOfDirectory(atPath: folder)).isEmpty)
    }
}

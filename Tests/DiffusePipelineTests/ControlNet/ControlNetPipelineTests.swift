#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseCore
import DiffuseImage
@testable import DiffuseModels
import DiffuseNN
import DiffusePipeline
import DiffuseTestSupport

/// The fields of Fixtures/controlnet/cases.json beyond `PipelineCase`'s (Scripts/fixtures/controlnet.py).
struct ControlNetCase: Decodable, Sendable {
    let `case`: String
    /// "sd1" (tiny-sd1) or "sdxl" (tiny-sdxl).
    let family: String
    /// Folder names under Fixtures/controlnet/.
    let controlnets: [String]
    let scales: [Double]
    let starts: [Double]
    let ends: [Double]
    let guess_mode: Bool
}

/// ControlNet against diffusers' `StableDiffusionControlNetPipeline` / `StableDiffusionXLControlNetPipeline`
/// (Fixtures/controlnet/cases.*): the ControlNets' zero convolutions hold random weights, so every residual
/// counts. The control pictures go through Diffuse's resize (`RGBImage.resized`, Pillow's Lanczos) and
/// `controlTensor()` as diffusers' `control_image_processor` does. Same tolerances as `PipelineFixtureTests`
/// (timesteps exact; latents and decoded images 1e-4 relative to their largest value, f32 with a different
/// summation order over a few steps; pixels ≤ 1 level, a rounding at the boundary).
@Suite struct ControlNetPipelineTests {
    static let fixture = Result { try CaseFiles.cases("controlnet", ControlNetCase.self) }
    static let names = (try? fixture.get().map(\.0.case)) ?? []
    static let tensors = Result { try CaseFiles.tensors("controlnet") }
    static func picture(_ name: String) throws -> RGBImage { try CaseFiles.picture(tensors.get(), name) }

    /// The fixture ControlNet `name` for `pipe`, in the UNet's dtype.
    static func controlNet(_ name: String, for pipe: StableDiffusionPipeline) throws -> ControlNetModel {
        let folder = FixturePaths.path("controlnet/" + name)
        let config = try ControlNetConfig(contentsOfFile: folder + "/config.json")
        let store = try WeightStore(files: UNet2DConditionModel.weightFiles(in: folder), dtype: pipe.unet.dtype)
        return try pipe.makeControlNet(config: config, weights: store)
    }

    /// The case's ControlNets with their pictures resized to the output size (Pillow's Lanczos, as diffusers).
    static func conditions(_ name: String, _ c: PipelineCase, _ extra: ControlNetCase,
                           for pipe: StableDiffusionPipeline) throws -> [ControlNetCondition] {
        try extra.controlnets.enumerated().map { i, net in
            let image = try picture("\(name).control.\(i)").resized(width: c.width, height: c.height)
            return ControlNetCondition(model: try controlNet(net, for: pipe), image: image.controlTensor(),
                                       scale: extra.scales[i], start: extra.starts[i], end: extra.ends[i],
                                       guessMode: extra.guess_mode)
        }
    }

    @Test(arguments: names)
    func caseMatchesDiffusers(_ name: String) throws {
        guard let (c, extra) = try Self.fixture.get().first(where: { $0.1.case == name }) else { return }
        let tensors = try Self.tensors.get()
        let pipe = try PipelineFixture.pipeline(extra.family == "sdxl" ? "tiny-sdxl" : "tiny-sd1")
        var config = try c.configuration(initImage: nil)
        config.controlNets = try Self.conditions(name, c, extra, for: pipe)
        let result = try pipe.generate(config)

        try expectMatchesCase(result, tensors, name, label: "controlnet")

        // The ControlNet must matter: without it the latents are far from diffusers' ControlNet result.
        var plain = config
        plain.controlNets = []
        let without = PipelineFixtureTests.compare(try pipe.generate(plain).latents, try tensors.tensor("\(name).latents"))
        #expect(!without.passes, "\(name): the result without ControlNet is as close (\(without.maxAbsError)); the test proves nothing")
    }

    /// Compile mode takes the residuals as graph inputs: the compiled pipeline gives diffusers' result too
    /// (two ControlNets, so steps with one, both and — outside their ranges — none compile separately; and SDXL).
    @Test(arguments: ["two", "sdxl"])
    func compiledMatchesDiffusers(_ name: String) throws {
        guard let (c, extra) = try Self.fixture.get().first(where: { $0.1.case == name }) else { return }
        let tensors = try Self.tensors.get()
        let pipe = try StableDiffusionPipeline(path: FixturePaths.path(extra.family == "sdxl" ? "tiny-sdxl" : "tiny-sd1"), compile: true)
        var config = try c.configuration(initImage: nil)
        config.controlNets = try Self.conditions(name, c, extra, for: pipe)
        let result = try pipe.generate(config)
        let latents = PipelineFixtureTests.compare(result.latents, try tensors.tensor("\(name).latents"))
        #expect(latents.passes, "\(name) compiled latents: \(latents)")
        #expect((pipe.compiledUNet?.summaries.count ?? 0) >= 1)
    }

    /// diffusers' guess-mode scales: `torch.logspace(-1, 0, n)` (n = 13 residuals for SD 1.5's 12 skips + mid).
    @Test func guessModeScalesAreTorchLogspace() {
        let scales = ControlNetModel.guessModeScales(count: 4)
        #expect(scales.first == 0.1 && scales.last == 1)
        #expect(abs(scales[1] - 0.21544347) < 1e-7 && abs(scales[2] - 0.46415888) < 1e-7)
        #expect(ControlNetModel.guessModeScales(count: 13).count == 13)
    }

    /// Active steps as diffusers' `controlnet_keep`: step i of n when start ≤ i/n and (i+1)/n ≤ end.
    @Test func activeStepsFollowStartAndEnd() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        let model = try Self.controlNet("tiny-sd1-controlnet-a", for: pipe)
        let image = Tensor([Float](repeating: 0.5, count: 3 * 32 * 32), shape: [1, 3, 32, 32])
        let c = ControlNetCondition(model: model, image: image, start: 0.25, end: 0.75)
        #expect((0..<4).map { c.isActive(step: $0, of: 4) } == [false, true, true, false])
        #expect((0..<3).map { c.isActive(step: $0, of: 3) } == [false, true, false])
        let all = ControlNetCondition(model: model, image: image)
        #expect((0..<5).allSatisfy { all.isActive(step: $0, of: 5) })
    }

    /// The memory check counts the ControlNets' weights: a limit the run fits without them refuses it with one.
    @Test func memoryCheckCountsControlNetWeights() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        let model = try Self.controlNet("tiny-sd1-controlnet-a", for: pipe)
        #expect(model.parameterCount > 500_000)
        var config = GenerationConfiguration(prompt: "a cat")
        (config.steps, config.width, config.height) = (2, 32, 32)
        let peak = pipe.limits.predictedPeakBytes(width: 32, height: 32, batch: 1)
        config.memoryLimit = .option(peak + model.parameterCount * 4 / 2)
        #expect(try pipe.validate(config) == (32, 32))
        config.controlNets = [ControlNetCondition(model: model, image: Tensor([Float](repeating: 0.5, count: 3 * 32 * 32), shape: [1, 3, 32, 32]))]
        let error = #expect(throws: PipelineError.self) { try pipe.validate(config) }
        #expect(error?.kind == .tooLarge, "\(error.map { "\($0)" } ?? "")")
    }

    /// Bad ControlNet inputs are refused before anything runs, each with what to change.
    @Test func badInputsAreRefused() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1")
        let model = try Self.controlNet("tiny-sd1-controlnet-a", for: pipe)
        var config = GenerationConfiguration(prompt: "a cat")
        config.steps = 2
        config.width = 32
        config.height = 32
        func refused(_ c: ControlNetCondition, _ words: String) {
            var bad = config
            bad.controlNets = [c]
            let error = #expect(throws: PipelineError.self) { try pipe.validate(bad) }
            #expect("\(error.map { "\($0)" } ?? "")".contains(words), "\(error.map { "\($0)" } ?? "")")
        }
        let image = Tensor([Float](repeating: 0.5, count: 3 * 32 * 32), shape: [1, 3, 32, 32])
        refused(ControlNetCondition(model: model, image: Tensor([Float](repeating: 0, count: 3 * 16 * 32), shape: [1, 3, 16, 32])),
                "resize it to the output size")
        refused(ControlNetCondition(model: model, image: image, scale: .nan), "scale must be between")
        refused(ControlNetCondition(model: model, image: image, scale: 1e9), "scale must be between")
        refused(ControlNetCondition(model: model, image: image, start: 0.6, end: 0.5), "0 ≤ start < end ≤ 1")
        refused(ControlNetCondition(model: model, image: image, end: 1.5), "0 ≤ start < end ≤ 1")
        config.controlNets = [ControlNetCondition(model: model, image: image)]
        #expect(try pipe.validate(config) == (32, 32))

        // an SDXL ControlNet on an SD 1.x model
        let sdxl = try PipelineFixture.pipeline("tiny-sdxl")
        let wrong = try Self.controlNet("tiny-sdxl-controlnet", for: sdxl)
        config.controlNets = [ControlNetCondition(model: wrong, image: image)]
        let error = #expect(throws: PipelineError.self) { try pipe.validate(config) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("made for another model"))
    }
}

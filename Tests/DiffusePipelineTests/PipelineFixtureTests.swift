import Testing
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// End to end against diffusers on the fixture pipelines (Fixtures/README.md, reference.safetensors
/// `pipeline.*`: 3 steps, seed 0, guidance 7.5, 32×32, "a photo of a cat", negative "").
///
/// Tolerances. Initial latents and timesteps: exact (same generator, same integer/float32 schedule).
/// Final latents and decoded image: |Δ| ≤ 1e-4·|e| + 1e-4·max|e| — the whole-model tolerance of the
/// model tests; 3 UNet steps + guidance (×7.5 amplifies the difference of the two halves) + the VAE.
/// Pixels: ≤ 1 level of 255. A value within ~1e-5 of a rounding boundary (k + ½)/255 may round the
/// other way, nothing more; a real error moves many pixels by many levels.
@Suite struct PipelineFixtureTests {
    static let rtol = 1e-4

    static func compare(_ actual: Tensor, _ expected: Tensor) -> Closeness {
        let scale = expected.floats().reduce(0) { max($0, abs(Double($1))) }
        return closeness(actual, expected, rtol: rtol, atol: rtol * scale)
    }

    @Test(arguments: ["tiny-sd1", "tiny-sd2"])
    func textToImageMatchesDiffusers(_ name: String) throws {
        let pipe = try PipelineFixture.pipeline(name)
        let reference = try PipelineFixture.reference(name)
        var config = GenerationConfiguration(prompt: "a photo of a cat")
        config.steps = 3
        config.seed = 0
        config.width = 32
        config.height = 32
        let result = try pipe.textToImage(config)

        let initial = try reference.tensor("pipeline.init_latents")
        #expect(result.initialLatents.floats() == initial.floats(), "initial latents must be bit-exact")
        let timesteps = try reference.tensor("pipeline.timesteps")
        #expect(result.timesteps == (0..<timesteps.count).map { timesteps.scalar(atFlat: $0) })

        let latents = Self.compare(result.latents, try reference.tensor("pipeline.latents"))
        print("\(name) latents: \(latents)")
        #expect(latents.passes, "\(latents)")
        let decoded = Self.compare(result.images, try reference.tensor("pipeline.decoded"))
        print("\(name) decoded: \(decoded)")
        #expect(decoded.passes, "\(decoded)")

        // pipeline.image is diffusers' float image in [0, 1], NHWC; its uint8 form is round(255·x).
        let image = try reference.tensor("pipeline.image").hostContiguous().floats()
        let expected = image.map { Int(($0 * 255).rounded(.toNearestOrEven)) }
        let diff = pixelDifference(result.rgbImages.flatMap(\.pixels).map(Int.init), expected)
        #expect(pixels(result.images) == result.rgbImages.flatMap(\.pixels).map(Int.init), "RGBImage(tensor:) rounds as numpy")
        print("\(name) pixels: max difference \(diff.max), \(diff.differing) of \(expected.count) differ")
        #expect(diff.max <= 1)
    }

    static let sd1Cases = (try? PipelineFixture.cases("tiny-sd1").cases) ?? []
    static let sd2Cases = (try? PipelineFixture.cases("tiny-sd2").cases) ?? []
    static let sdxlCases = (try? PipelineFixture.cases("tiny-sdxl").cases) ?? []
    static let refinerCases = (try? PipelineFixture.cases("tiny-sdxl-refiner").cases) ?? []
    static let tilingCases = (try? PipelineFixture.cases("vae-tiling").cases) ?? []
    static let taesdCases = (try? PipelineFixture.cases("tiny-taesd").cases) ?? []

    @Test(arguments: sd1Cases)
    func sd1Case(_ c: PipelineCase) throws { try Self.run(c, in: "tiny-sd1") }

    @Test(arguments: sd2Cases)
    func sd2Case(_ c: PipelineCase) throws { try Self.run(c, in: "tiny-sd2") }

    /// SDXL (`StableDiffusionXLPipeline` / `StableDiffusionXLImg2ImgPipeline`): two text encoders, pooled
    /// text embeddings and time ids, zeros for a missing negative prompt; same tolerances as SD 1.x / 2.x.
    @Test(arguments: sdxlCases)
    func sdxlCase(_ c: PipelineCase) throws { try Self.run(c, in: "tiny-sdxl") }

    /// The SDXL refiner layout (only text_encoder_2; 5 time ids with the aesthetic scores) as the second,
    /// image-to-image pass.
    @Test(arguments: refinerCases)
    func sdxlRefinerCase(_ c: PipelineCase) throws { try Self.run(c, in: "tiny-sdxl-refiner") }

    /// tiny-sd1 with its VAE tiled (`GenerationConfiguration.vaeTiling`), at sizes of several tiles: text-to-image
    /// (2 images, sliced) and image-to-image (tiled encode too), as diffusers' `vae.enable_tiling()`.
    @Test(arguments: tilingCases)
    func vaeTilingCase(_ c: PipelineCase) throws { try Self.run(c, in: "tiny-sd1", casesFolder: "vae-tiling", vaeTiling: true) }

    /// tiny-sd1 with its VAE replaced (Fixtures/tiny-taesd/pipeline_cases.json): by the tiny `AutoencoderTiny`
    /// for decoding and for image-to-image encoding (no posterior sample: the generator's first draw is
    /// the added noise, as in diffusers), and by tiny-sd1's own VAE folder as a separate `AutoencoderKL`.
    /// Same tolerances as the other cases.
    @Test(arguments: taesdCases)
    func replacedVAECase(_ c: PipelineCase) throws { try Self.run(c, in: "tiny-sd1", casesFolder: "tiny-taesd") }

    /// Runs case `c` on the fixture pipeline `name` (with the case's replacement VAE, if any) and compares it
    /// with the tensors recorded in `casesFolder` (default: `name`'s).
    static func run(_ c: PipelineCase, in name: String, casesFolder: String? = nil, vaeTiling: Bool = false) throws {
        let pipe = try PipelineFixture.pipeline(name, vae: c.vae)
        let tensors = try PipelineFixture.cases(casesFolder ?? name).tensors
        try check(pipe, c, tensors: tensors, label: casesFolder ?? name, vaeTiling: vaeTiling)
    }

    /// Runs case `c` on `pipe` and compares with the case's tensors in `tensors` (tolerances above).
    static func check(_ pipe: StableDiffusionPipeline, _ c: PipelineCase, tensors: SafeTensorsFile, label: String,
                      vaeTiling: Bool = false, promptSyntax: PromptSyntax = .plain) throws {
        let initImage = c.img2img ? normalizedImage(try tensors.tensor("\(c.case).init_image")) : nil
        var config = try c.configuration(initImage: initImage)
        config.vaeTiling = vaeTiling
        config.promptSyntax = promptSyntax
        let result = try pipe.generate(config)

        let timesteps = try tensors.tensor("\(c.case).timesteps")
        #expect(result.timesteps.map { Float($0) } == timesteps.floats(), "\(c.case) timesteps")
        if !c.img2img {
            #expect(result.initialLatents.floats() == (try tensors.tensor("\(c.case).init_latents")).floats(),
                    "\(c.case): initial latents must be bit-exact")
        }
        let latents = compare(result.latents, try tensors.tensor("\(c.case).latents"))
        let decoded = compare(result.images, try tensors.tensor("\(c.case).decoded"))
        let expected = try tensors.tensor("\(c.case).image").hostContiguous()
        let diff = pixelDifference(result.rgbImages.flatMap(\.pixels).map(Int.init), (0..<expected.count).map { Int(expected.scalar(atFlat: $0)) })
        print("\(label) \(c.case): latents \(latents.maxAbsError) decoded \(decoded.maxAbsError) pixels max \(diff.max) (\(diff.differing) differ)")
        #expect(latents.passes, "\(c.case) latents: \(latents)")
        #expect(decoded.passes, "\(c.case) decoded: \(decoded)")
        #expect(diff.max <= 1, "\(c.case): pixels differ by up to \(diff.max)")
    }
}

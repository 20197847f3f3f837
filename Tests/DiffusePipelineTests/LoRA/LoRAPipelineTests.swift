import Testing
import DiffuseCore
import DiffuseNN
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport

/// Pipelines with LoRA adapters against diffusers (`load_lora_weights` + `set_adapters`, Fixtures/lora/cases.json):
/// kohya at 0.8 (attention, feed-forward, proj_in / proj_out, LoCon convolutions and the text encoder), two
/// adapters at once (0.8 and −0.6), PEFT with its metadata's alpha, the older attention-processor format,
/// image-to-image, SD 2 (linear projections, f16 files) and SDXL (SGM block names, te1 / te2). Tolerances
/// as `PipelineFixtureTests` (latents and decoded 1e-4·|e| + 1e-4·max|e|, pixels ≤ 1 level): the merged
/// weights differ from diffusers' unfused W x + s·B(A x) by f32 rounding only (`LoRAMergeTests`).
@Suite struct LoRAPipelineTests {
    static let all = (try? LoRAFixture.cases().cases) ?? []

    @Test(arguments: all)
    func caseMatchesDiffusers(_ c: LoRACase) throws {
        let pipe = try LoRAFixture.pipeline(c.model)
        let warnings = try pipe.setLoRAs(try c.adapters())
        #expect(warnings.isEmpty, "every key of the fixture files matches: \(warnings)")
        try PipelineFixtureTests.check(pipe, c.pipelineCase, tensors: try LoRAFixture.cases().tensors, label: "lora")
    }

    /// Switching adapters on one pipeline (A → B → none) gives what fresh pipelines give, bit for bit, and
    /// removing them gives the base model's images again: the base weights were not changed.
    @Test func switchingEqualsFreshPipelines() throws {
        let (cases, tensors) = try LoRAFixture.cases()
        let a = cases.first { $0.pipelineCase.case == "kohya-0.8" }!
        let b = cases.first { $0.pipelineCase.case == "peft" }!
        let configA = try a.pipelineCase.configuration(initImage: nil)
        let configB = try b.pipelineCase.configuration(initImage: nil)

        let base = try LoRAFixture.pipeline("tiny-sd1")
        let baseLatents = try base.generate(configA).latents.floats()

        let pipe = try LoRAFixture.pipeline("tiny-sd1")
        try pipe.setLoRAs(try a.adapters())
        let withA = try pipe.generate(configA).latents
        #expect(PipelineFixtureTests.compare(withA, try tensors.tensor("kohya-0.8.latents")).passes)
        #expect(withA.floats() != baseLatents, "the adapter changes the image")
        try pipe.setLoRAs(try b.adapters())
        #expect(pipe.loras.map(\.file.name) == ["sd1-peft"])
        let withB = try pipe.generate(configB).latents.floats()
        try pipe.setLoRAs([])
        #expect(pipe.loras.isEmpty)
        let none = try pipe.generate(configA).latents.floats()

        let freshB = try LoRAFixture.pipeline("tiny-sd1")
        try freshB.setLoRAs(try b.adapters())
        #expect(withB == (try freshB.generate(configB).latents.floats()), "A → B equals a fresh pipeline with B")
        #expect(none == baseLatents, "A → B → none equals the base pipeline")
        try pipe.setLoRAs(try a.adapters())
        #expect(try pipe.generate(configA).latents.floats() == withA.floats(), "A again equals A the first time")
    }

    /// With `compile`, the compiled UNet is rebuilt with the merged weights (compiled vs eager: the
    /// compile tests' 1e-4).
    @Test func compiledUNetIsRebuilt() throws {
        let (cases, tensors) = try LoRAFixture.cases()
        let c = cases.first { $0.pipelineCase.case == "two-loras" }!
        let pipe = try LoRAFixture.pipeline("tiny-sd1", compile: true)
        let config = try c.pipelineCase.configuration(initImage: nil)
        let before = try pipe.generate(config).latents
        try pipe.setLoRAs(try c.adapters())
        let compiled = try pipe.generate(config)
        let expected = try tensors.tensor("two-loras.latents")
        let report = PipelineFixtureTests.compare(compiled.latents, expected)
        print("compiled two-loras latents: \(report)")
        #expect(report.passes, "\(report)")
        #expect(closeness(before, expected, rtol: 0, atol: 1e-2).passes == false, "the base model's latents differ")
    }

    /// The attention processor set on the pipeline is set on the models `setLoRAs` builds.
    @Test func attentionProcessorIsKept() throws {
        let pipe = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1"), attention: VanillaAttention())
        try pipe.setLoRAs([try LoRAFixture.adapter("sd1-kohya", scale: 0.8)])
        #expect(pipe.unet.attentionLayers.allSatisfy { $0.processor.name == "vanilla" })
        #expect(pipe.textEncoder!.attentionLayers.allSatisfy { $0.processor.name == "vanilla" })
    }
}

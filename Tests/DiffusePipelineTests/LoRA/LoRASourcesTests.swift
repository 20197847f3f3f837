import Testing
import DiffuseCore
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport

/// LoRAs on the other ways a model is held: reduced precision (the merge runs in f32 and is cast back to
/// the weight's f16 / bf16, so the UNet keeps its dtypes) and single-file checkpoints (the merge sees the
/// diffusers keys through the single file's key mapping).
@Suite struct LoRASourcesTests {
    static func kohyaCase() throws -> (LoRACase, SafeTensorsFile) {
        let (cases, tensors) = try LoRAFixture.cases()
        return (cases.first { $0.pipelineCase.case == "kohya-0.8" }!, tensors)
    }

    /// f16 / bf16 with the kohya LoRA at 0.8 against diffusers' f32 images with it; bounds of
    /// `PipelinePrecisionTests` (f16 ≤ 1e-2 and ≤ 2 levels of 255, bf16 ≤ 8e-2 and ≤ 10 levels).
    @Test(arguments: [Precision.f16, .bf16])
    func reducedPrecision(_ precision: Precision) throws {
        let (c, tensors) = try Self.kohyaCase()
        let pipe = try StableDiffusionPipeline(path: FixturePaths.path("tiny-sd1"), precision: precision)
        let stored = pipe.unet.storedParameters
        try pipe.setLoRAs(try c.adapters())
        #expect(pipe.unet.storedParameters == stored, "merged weights keep their dtypes")
        let result = try pipe.generate(try c.pipelineCase.configuration(initImage: nil))
        let expected = try tensors.tensor("kohya-0.8.decoded").floats()
        let maxAbs = zip(result.images.floats(), expected).map { abs($0 - $1) }.max() ?? 0
        let image = try tensors.tensor("kohya-0.8.image").hostContiguous()
        let diff = pixelDifference(result.rgbImages.flatMap(\.pixels).map(Int.init), (0..<image.count).map { Int(image.scalar(atFlat: $0)) })
        print("lora \(precision.rawValue) vs diffusers f32: decoded max abs \(maxAbs), pixels max \(diff.max) (\(diff.differing) differ)")
        let (bound, levels): (Float, Int) = precision == .f16 ? (1e-2, 2) : (8e-2, 10)
        #expect(maxAbs <= bound)
        #expect(diff.max <= levels)
    }

    /// tiny-sd1 as a single-file checkpoint (original key layout) with the kohya LoRA: diffusers' images.
    @Test func singleFileCheckpoint() throws {
        let (c, tensors) = try Self.kohyaCase()
        let folder = try SingleFileCheckpoint.open(path: FixturePaths.path("single-file/tiny-sd1.safetensors"),
                                                   config: FixturePaths.path("tiny-sd1"))
        let pipe = try StableDiffusionPipeline(folder: folder)
        #expect(try pipe.setLoRAs(try c.adapters()).isEmpty)
        try PipelineFixtureTests.check(pipe, c.pipelineCase, tensors: tensors, label: "lora single-file")
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseBench
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffusePipeline
import DiffuseSources
import DiffuseTestSupport
import Testing

/// The built-in SD 1.5 / 2.1 / SDXL / SD-Turbo configs and the seeded random weights of `--arch`.
struct SyntheticModelTests {
    /// The built-in configs are the real ones (Fixtures/configs/<arch>/*.json, copied from the hub),
    /// except for metadata (class name, versions, source file); SDXL's text_encoder_2 too.
    @Test(arguments: SyntheticArch.allCases)
    func builtInConfigsEqualTheHubConfigs(arch: SyntheticArch) throws {
        let dir = FixturePaths.path("configs/\(arch.rawValue)")
        let unetFile = try UNet2DConditionConfig(contentsOfFile: dir + "/unet.json")
        var unet = arch.unet
        (unet.className, unet.diffusersVersion, unet.sourceFile) = (unetFile.className, unetFile.diffusersVersion, unetFile.sourceFile)
        #expect(unet == unetFile)
        let vaeFile = try AutoencoderKLConfig(contentsOfFile: dir + "/vae.json")
        var vae = arch.vae
        (vae.className, vae.diffusersVersion, vae.sourceFile) = (vaeFile.className, vaeFile.diffusersVersion, vaeFile.sourceFile)
        #expect(vae == vaeFile)
        let textFile = try CLIPTextConfig(contentsOfFile: dir + "/text_encoder.json")
        var text = arch.textEncoder
        (text.nameOrPath, text.torchDtype, text.transformersVersion, text.sourceFile)
            = (textFile.nameOrPath, textFile.torchDtype, textFile.transformersVersion, textFile.sourceFile)
        #expect(text == textFile)
        let text2File = FixturePaths.path("configs/\(arch.rawValue)/text_encoder_2.json")
        #expect((arch.textEncoder2 != nil) == FileManager.default.fileExists(atPath: text2File))
        if var text2 = arch.textEncoder2 {
            let file = try CLIPTextConfig(contentsOfFile: text2File)
            (text2.nameOrPath, text2.torchDtype, text2.transformersVersion, text2.sourceFile)
                = (file.nameOrPath, file.torchDtype, file.transformersVersion, file.sourceFile)
            #expect(text2 == file)
        }
    }

    /// Each family's default size: the UNet's sample_size × 8.
    @Test func defaultSizes() {
        #expect(SyntheticArch.allCases.map(\.defaultSize) == [512, 768, 1024, 512])
        #expect(SyntheticArch(rawValue: "sd-turbo") == .sdTurbo)
        #expect(SyntheticArch.names == "sd15|sd21|sdxl|sd-turbo")
        #expect(ModelConfigs(.sdxl).contextWidth == 2048)
        #expect(ModelConfigs(.sdxl).textEncoder2?.projectionDim == 1280)
        #expect(ModelConfigs(.sdTurbo).textEncoder2 == nil)
    }

    /// Reproducible per key, independent of request order; norm scales 1, biases 0; weights uniform in
    /// ±√(3 / fan_in). Statistics over 65,536 draws: the mean of U(−b, b) has standard error
    /// b/√(3n) ≈ 0.0023·b, so |mean| ≤ 0.02·b is > 8σ; the variance b²/3 is checked to 3 %.
    @Test func weightsAreSeededAndScaled() {
        let weights = SyntheticWeights(seed: 7)
        let a = weights.tensor("down.0.proj.weight", shape: [256, 256])
        let b = SyntheticWeights(seed: 7).tensor("down.0.proj.weight", shape: [256, 256])
        let other = weights.tensor("down.0.other.weight", shape: [256, 256])
        let va = a.floats(), vb = b.floats(), vo = other.floats()
        #expect(va == vb)
        #expect(va != vo)
        let bound = Float(3.0 / 256).squareRoot()
        #expect(va.allSatisfy { abs($0) <= bound })
        let mean = va.reduce(0, +) / Float(va.count)
        let variance = va.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(va.count)
        #expect(abs(mean) <= 0.02 * bound)
        #expect(abs(variance / (bound * bound / 3) - 1) <= 0.03)
        #expect(weights.tensor("norm1.weight", shape: [64]).floats() == [Float](repeating: 1, count: 64))
        #expect(weights.tensor("norm1.bias", shape: [64]).floats() == [Float](repeating: 0, count: 64))
        let half = SyntheticWeights(seed: 7, dtype: { _, _ in .bf16 }).tensor("down.0.proj.weight", shape: [256, 256])
        #expect(half.dtype == .bf16)
    }

    /// A model built on a generating store asks only for keys it gets: no missing / unused error, and
    /// its forward pass is finite (the init keeps activations in range).
    @Test func tinyUNetBuildsOnSyntheticWeightsAndRuns() throws {
        let folder = try ModelFolder(path: FixturePaths.path("tiny-sd1"))
        let store = SyntheticWeights(seed: 1).store(source: "tiny random", computeDType: .f32)
        let unet = try UNet2DConditionModel(config: folder.unet, weights: store, backend: CPUBackend())
        let sample = SyntheticWeights.uniform([1, 4, 8, 8], seed: 2)
        let context = SyntheticWeights.uniform([1, 77, folder.unet.crossAttentionDims[0]], seed: 3)
        let out = try unet.forward(sample: sample, timestep: 981, encoderHiddenStates: context)
        #expect(out.shape == [1, 4, 8, 8])
        let values = out.floats()
        #expect(values.allSatisfy { $0.isFinite })
    }
}

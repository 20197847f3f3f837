import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// One UNet forward (CFG batch of 2, t = 981) against diffusers on the tiny fixture pipelines.
///
/// Tolerance (both families): atol 1e-4 + rtol 1e-4 on outputs of std ≈ 1. The reference is float32
/// torch on one thread; we compute in float32 too, with different summation orders (blocked GEMM,
/// im2col conv, two-pass norms). Each op agrees with torch to ~1e-6 relative (Fixtures/ops); through ~60
/// sequential layers with residual paths those differences grow. Measured (CPUBackend, 2 threads):
/// noise_pred max abs error 2.3e-6 (sd1) / 2.6e-6 (sd2), ≈ 1.3e-6 of the output's peak; intermediates
/// ≤ 1.4e-5 abs (up_blocks.0, whose values reach ~10); CFG output 2.0e-5 abs. 1e-4 leaves a margin of
/// 7× on the worst intermediate and ~40× on the output, while any real mistake (a wrong head split, a
/// missing residual, the wrong GEGLU half, the wrong skip order) moves outputs by 1e-2 or more.
///
/// tiny-sd2 stores **float16** weights. The reference was computed by diffusers from that folder loaded
/// with `torch_dtype=float32`, i.e. the f16 weights upcast exactly to f32 and everything computed in f32.
/// Loading with `dtype: .f32` does the same (f16 → f32 conversion is exact), so the same float32
/// tolerance applies: the f16 rounding of the weights is in both sides and does not count as error.
@Suite struct UNetFixtureTests {
    static let tolerance = (rtol: 1e-4, atol: 1e-4)

    @Test(arguments: ["sd1", "sd2"])
    func noisePredictionMatchesDiffusers(_ family: String) throws {
        let unet = try TinyUNet.load(family)
        let reference = try TinyUNet.reference(family)
        let (out, _) = try TinyUNet.run(unet, family: family)
        let expected = try reference.tensor("unet.noise_pred")
        let report = closeness(out, expected, rtol: Self.tolerance.rtol, atol: Self.tolerance.atol)
        print("tiny-\(family) noise_pred: \(report); max err / peak \(maxRelativeToPeak(out, expected))")
        #expect(report.passes, "tiny-\(family) noise_pred: \(report)")

        let cfg = TinyUNet.guided(out, scale: 7.5)
        // Guidance multiplies the (c − u) difference by 7.5, and with it the error: scale atol and rtol too.
        let cfgReport = closeness(cfg, try reference.tensor("unet.noise_pred_cfg"), rtol: 7.5e-4, atol: 7.5e-4)
        print("tiny-\(family) noise_pred_cfg: \(cfgReport)")
        #expect(cfgReport.passes, "tiny-\(family) noise_pred_cfg: \(cfgReport)")
    }

    /// Latent sides that are not multiples of 2^(blocks − 1) (here odd: [2, 4, 7, 9] for sd1, [2, 4, 5, 7]
    /// for sd2, `unet.odd.*`): the stride-2 down-sampler rounds up (⌈7/2⌉ = 4) and diffusers'
    /// `forward_upsample_size` path resizes back to the skip's size (`F.interpolate(size=…)`, 4 → 7)
    /// instead of doubling (which would give 8 and fail the concatenation). Same tolerance as above.
    @Test(arguments: ["sd1", "sd2"])
    func oddLatentSizeMatchesDiffusers(_ family: String) throws {
        let unet = try TinyUNet.load(family)
        let reference = try TinyUNet.reference(family)
        let (_, timestep, text) = try TinyUNet.inputs(family)
        let sample = try reference.tensor("unet.odd.sample")
        #expect(sample.size(2) % 2 == 1 && sample.size(3) % 2 == 1)
        let out = try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text)
        let expected = try reference.tensor("unet.odd.noise_pred")
        #expect(out.shape == expected.shape)
        let report = closeness(out, expected, rtol: Self.tolerance.rtol, atol: Self.tolerance.atol)
        print("tiny-\(family) odd latent \(sample.shape): \(report); max err / peak \(maxRelativeToPeak(out, expected))")
        #expect(report.passes, "tiny-\(family) odd latent: \(report)")
    }

    /// Every recorded submodule output, so a failure above points at the first block that diverges.
    @Test(arguments: ["sd1", "sd2"])
    func intermediatesMatchDiffusers(_ family: String) throws {
        let unet = try TinyUNet.load(family)
        let reference = try TinyUNet.reference(family)
        let (_, seen) = try TinyUNet.run(unet, family: family)
        let names = ["time_proj", "time_embedding", "conv_in", "down_blocks.0", "down_blocks.1", "mid_block",
                     "up_blocks.0", "up_blocks.1", "conv_norm_out", "conv_act"]
        for name in names {
            let actual = try #require(seen[name], "no intermediate \(name) observed")
            let expected = try reference.tensor("unet.intermediate.\(name)")
            let report = closeness(actual, expected, rtol: Self.tolerance.rtol, atol: Self.tolerance.atol)
            print("tiny-\(family) \(name): \(report)")
            #expect(report.passes, "tiny-\(family) \(name): \(report)")
        }
    }

    /// Attention layers are listed under diffusers' names, in diffusers' module order.
    @Test func attentionLayersHaveDiffusersNames() throws {
        let unet = try TinyUNet.load("sd1")
        let names = unet.attentionProcessors.map(\.layer)
        // tiny-sd1: CrossAttnDownBlock2D (2 layers), UpBlock2D, CrossAttnUpBlock2D (3 layers), mid (1).
        #expect(names.count == (2 + 3 + 1) * 2)
        #expect(names.first == "down_blocks.0.attentions.0.transformer_blocks.0.attn1")
        #expect(names.contains("up_blocks.1.attentions.2.transformer_blocks.0.attn2"))
        #expect(names.last == "mid_block.attentions.0.transformer_blocks.0.attn2")
    }
}

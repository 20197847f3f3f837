import Testing
import DiffuseCore
import DiffusePipeline
import DiffuseTestSupport

/// `--precision f16` / `bf16` against f32 on the fixture pipelines (3 steps, seed 0, 32×32; see
/// `Precision` for what each mode rounds). Measured on this machine (Zen 4, AVX512-BF16), decoded image
/// in [-1, 1] and 8-bit pixels:
///
/// | model | mode | max abs Δ decoded | max Δ pixel (pixels differing) |
/// |---|---|---|---|
/// | tiny-sd1 | f16 | 1.6e-3 | 1 (116 of 3072) |
/// | tiny-sd1 | bf16 | 3.4e-2 | 5 (1671 of 3072) |
/// | tiny-sd2 | f16 | 1.4e-5 | 1 (1 of 3072) |
/// | tiny-sd2 | bf16 | 7.8e-2 | 10 (2183 of 3072) |
/// | tiny-sdxl | f16 | 2.0e-3 | 1 (135 of 3072) |
/// | tiny-sdxl | bf16 | 2.4e-2 | 3 (1339 of 3072) |
///
/// (Before `PrecisionPolicy` kept vectors — biases, norm scales — in f32 instead of rounding them too:
/// 1.7e-3, 3.7e-2, 1.4e-5 and 6.1e-2. bf16's error is dominated by the rounding of every GEMM input, so
/// rounding fewer weights moves it either way. Since text encoders stored in f16 stay f16 in bf16 mode —
/// tiny-sd2's and tiny-sdxl's — their bf16 rows moved from 7.4e-2 and 1.9e-2: the same either-way noise.)
///
/// Bounds: f16 weights carry 11 significant bits (relative rounding 2⁻¹¹ ≈ 5e-4 per weight), bf16 8 bits
/// (4e-3) and, with AVX512-BF16, GEMM inputs rounded too. Over 3 steps of a random-weight tiny UNet with
/// guidance 7.5 the decoded image moves by ~1e-3 (f16) and 1e-2–5e-2 (bf16; tiny-sd2 more: v-prediction
/// with upcast attention, 16-wide heads); asserted: f16 ≤ 1e-2 and ≤ 2 levels of 255, bf16 ≤ 8e-2 and
/// ≤ 10 levels. tiny-sd2 stores its UNet and text encoder in f16 already (the f32 run upcasts the same
/// values), so its f16 mode differs only by the VAE's f32 weights rounded to f16 (1.1e-6 alone) and by the
/// convolution algorithm: f32 weights get cached Winograd transforms, f16 ones not, so some 3×3 convs run
/// F(2×2) / direct in one mode and another in the other (Winograd's own rounding, ≤ 3.3e-5·√K relative
/// per conv, `WinogradConvTests`): measured 1.4e-5, asserted ≤ 5e-5.
@Suite struct PipelinePrecisionTests {
    static func run(_ name: String, _ precision: Precision) throws -> GenerationResult {
        var c = GenerationConfiguration(prompt: "a photo of a cat")
        c.steps = 3
        c.seed = 0
        return try PipelineFixture.pipeline(name, precision: precision).generate(c)
    }

    @Test(arguments: ["tiny-sd1", "tiny-sd2", "tiny-sdxl"], [Precision.f16, .bf16])
    func closeToF32(_ name: String, _ precision: Precision) throws {
        let reference = try Self.run(name, .f32)
        let result = try Self.run(name, precision)
        let a = result.images.floats(), b = reference.images.floats()
        let maxAbs = zip(a, b).map { abs($0 - $1) }.max() ?? 0
        let pixelsA = result.rgbImages.flatMap(\.pixels).map(Int.init), pixelsB = reference.rgbImages.flatMap(\.pixels).map(Int.init)
        let diff = pixelDifference(pixelsA, pixelsB)
        print("\(name) \(precision.rawValue) vs f32: decoded max abs \(maxAbs), pixels max \(diff.max) (\(diff.differing) of \(pixelsA.count) differ); bf16 kernel: \(BF16GEMMBackend.isAccelerated)")
        let (bound, levels): (Float, Int) = precision == .f16 ? (1e-2, 2) : (8e-2, 10)
        #expect(maxAbs <= bound)
        #expect(diff.max <= levels)
        if name == "tiny-sd2" && precision == .f16 { #expect(maxAbs <= 5e-5) }
    }

    /// The f16 / bf16 modes hold the UNet weights in that dtype and compute in f32.
    @Test func weightsAndComputeDTypes() throws {
        let pipe = try PipelineFixture.pipeline("tiny-sd1", precision: .bf16)
        #expect(pipe.unet.dtype == .f32)
        #expect(pipe.unet.storedParameters.keys.contains(.bf16))
        #expect(pipe.textEncoder?.dtype == .f32)
        #expect(pipe.vae.dtype == .f32)
        // f16: matrices f16, vectors converted once to f32 (`PrecisionPolicy`).
        let half = try PipelineFixture.pipeline("tiny-sd1", precision: .f16)
        #expect(half.unet.dtype == .f32)
        let stored = half.unet.storedParameters
        #expect(Set(stored.keys) == [.f16, .f32])
        #expect(stored[.f16]! > 10 * stored[.f32]!, "UNet parameters by dtype: \(stored)")
    }
}

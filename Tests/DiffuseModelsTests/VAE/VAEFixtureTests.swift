import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// `AutoencoderKL.encode` / `decode` against diffusers on the tiny fixture VAEs (Fixtures/README.md:
/// blocks (32, 64), so 2× down-sampling; reference computed by torch in float32, one thread).
///
/// Tolerance (f32 compute): the chains are ≈ 12 convolutions of ≤ 576 products each, GroupNorms and one
/// softmax over 256 tokens. f32 rounding differs from torch's (other summation order, our GEMM vs
/// oneDNN) by ≈ 1e-7 relative per op, growing to a few 1e-6 over the chain. We assert
/// `|Δ| ≤ 1e-4 · |e| + 1e-4 · max|e|` — the "relative error ≲ 1e-4", with the absolute part
/// scaled to the tensor so near-zero elements do not make it meaningless. A wrong op (missing pad, wrong
/// group count, eps 1e-5 for 1e-6, softmax not over keys) shows up at 1e-3 or more.
/// Measured (CPUBackend, this machine): max abs error ≤ 1.2e-5 on every intermediate and ≤ 3.5e-6 on
/// the outputs (decode image, mean, logvar), i.e. ≤ 2e-6 of the tensors' max|e| (≈ 2–10): a 50× margin.
///
/// tiny-sd2's VAE is stored in **bf16** with the **legacy** attention keys. The reference was computed
/// from the same file loaded back with `torch_dtype=float32`, i.e. the bf16 weights upcast exactly to
/// f32; we load them the same way (`dtype: .f32`), so both sides compute in f32 on identical weights and
/// the f32 tolerance applies unchanged (checked: `bf16WeightsUpcastExactly`).
@Suite struct VAEFixtureTests {
    static let pipelines = ["tiny-sd1", "tiny-sd2"]
    static let rtol = 1e-4

    /// Compares with `rtol` and atol = rtol · max|expected|; returns the report.
    static func compare(_ actual: Tensor, _ expected: Tensor, rtol: Double = rtol) -> Closeness {
        let scale = expected.floats().reduce(0) { max($0, abs(Double($1))) }
        return closeness(actual, expected, rtol: rtol, atol: rtol * scale)
    }

    @Test(arguments: pipelines)
    func decodeMatchesDiffusers(_ pipeline: String) throws {
        let vae = try VAEFixture.model(pipeline)
        let reference = try VAEFixture.reference(pipeline)
        let recorder = IntermediateRecorder()
        let image = try vae.decode(try reference.tensor("vae.decode.input"), observe: recorder.record)
        #expect(image.shape == [1, 3, 32, 32])
        // Intermediates first, in execution order, so the first failure localises an error.
        #expect(recorder.modules == ["post_quant_conv", "decoder.conv_in", "decoder.mid_block", "decoder.up_blocks.0",
                                     "decoder.up_blocks.1", "decoder.conv_norm_out", "decoder.conv_out"])
        for (module, tensor) in recorder.outputs {
            let report = Self.compare(tensor, try reference.tensor("vae.decode.intermediate.\(module)"))
            print("VAE \(pipeline) decode \(module): \(report)")
            #expect(report.passes, "\(pipeline) decode \(module): \(report)")
        }
        let report = Self.compare(image, try reference.tensor("vae.decode.expected"))
        print("VAE \(pipeline) decode: \(report)")
        #expect(report.passes, "\(pipeline) decode: \(report)")
    }

    @Test(arguments: pipelines)
    func encodeMatchesDiffusers(_ pipeline: String) throws {
        let vae = try VAEFixture.model(pipeline)
        let reference = try VAEFixture.reference(pipeline)
        let recorder = IntermediateRecorder()
        let (mean, logvar) = try vae.encode(try reference.tensor("vae.encode.input"), observe: recorder.record)
        #expect(mean.shape == [1, 4, 16, 16] && logvar.shape == [1, 4, 16, 16])
        #expect(recorder.modules == ["encoder.conv_in", "encoder.down_blocks.0", "encoder.down_blocks.1",
                                     "encoder.mid_block", "encoder.conv_norm_out", "encoder.conv_out", "quant_conv"])
        for (module, tensor) in recorder.outputs where module != "encoder.conv_norm_out" {
            // (diffusers' reference has no encoder.conv_norm_out)
            let report = Self.compare(tensor, try reference.tensor("vae.encode.intermediate.\(module)"))
            print("VAE \(pipeline) encode \(module): \(report)")
            #expect(report.passes, "\(pipeline) encode \(module): \(report)")
        }
        for (name, tensor) in [("mean", mean), ("logvar", logvar)] {
            let report = Self.compare(tensor, try reference.tensor("vae.encode.\(name)"))
            print("VAE \(pipeline) encode \(name): \(report)")
            #expect(report.passes, "\(pipeline) encode \(name): \(report)")
        }
    }

    /// A batch of two runs each element as a batch of one would (attention and GroupNorm are per sample).
    @Test func batchOfTwoDecodesEachElement() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let reference = try VAEFixture.reference("tiny-sd1")
        let z = try reference.tensor("vae.decode.input")
        let pair = CPUBackend().concat([z, CPUBackend().scale(z, by: -1)], dim: 0)
        let images = try vae.decode(pair)
        let first = Self.compare(images.sliced(dim: 0, 0..<1), try reference.tensor("vae.decode.expected"))
        #expect(first.passes, "batch element 0: \(first)")
        let second = closeness(images.sliced(dim: 0, 1..<2), try vae.decode(CPUBackend().scale(z, by: -1)),
                               rtol: 1e-6, atol: 1e-6)
        #expect(second.passes, "batch element 1 vs alone: \(second)")
    }

    /// bf16 → f32 is exact (bf16 is the top half of an f32), so the f32 weights we compute with are the
    /// f32 weights torch computed the reference with.
    @Test func bf16WeightsUpcastExactly() throws {
        let file = try SafeTensorsFile(path: VAEFixture.weightsPath("tiny-sd2"))
        #expect(file.infos.allSatisfy { $0.dtype == .bf16 })
        let w = try file.tensor("decoder.conv_in.weight")
        let upcast = w.hostConverted(to: .f32)
        #expect(upcast.hostConverted(to: .bf16).floats() == w.floats())
        #expect(upcast.floats() == w.floats())
    }

    /// The compute dtype is the caller's: in bf16 or f16 (weights converted once at load, activations
    /// rounded to that dtype after every op) the decode stays within that dtype's rounding of the f32
    /// reference. bf16 has an 8-bit significand (2^-9 ≈ 2e-3 relative per rounding); over ≈ 15 rounded
    /// ops that grows to ≈ 1e-2 of the output's scale, the f16/bf16 tolerance. f16 (11 bits) is
    /// 8× finer. Measured: bf16 max abs error 0.020 with max|e| 2.5 (8e-3 of the scale), f16 0.0038 with
    /// max|e| 2.4 (1.6e-3); encode mean: bf16 0.020, f16 0.0035. We allow 2e-2 of max|e| (bf16) and 5e-3 (f16) as the absolute part.
    @Test(arguments: [("tiny-sd2", DType.bf16, 2e-2), ("tiny-sd1", DType.f16, 5e-3)])
    func reducedPrecisionComputeIsWithinRounding(_ pipeline: String, _ dtype: DType, _ tolerance: Double) throws {
        let vae = try VAEFixture.model(pipeline, dtype: dtype)
        let reference = try VAEFixture.reference(pipeline)
        let image = try vae.decode(try reference.tensor("vae.decode.input"))
        #expect(image.dtype == dtype)
        let expected = try reference.tensor("vae.decode.expected")
        let scale = expected.floats().reduce(0) { max($0, abs(Double($1))) }
        let report = closeness(image, expected, rtol: tolerance, atol: tolerance * scale)
        print("VAE \(pipeline) decode in \(dtype): \(report)")
        #expect(report.passes, "\(dtype) decode: \(report)")
        let (mean, _) = try vae.encode(try reference.tensor("vae.encode.input"))
        let meanReport = Self.compare(mean, try reference.tensor("vae.encode.mean"), rtol: tolerance)
        print("VAE \(pipeline) encode mean in \(dtype): \(meanReport)")
        #expect(meanReport.passes, "\(dtype) encode: \(meanReport)")
    }

    /// `latentDistribution(image).sample(noise:)` = mean + exp(logvar / 2) · noise (computed here in Double).
    @Test func sampleIsMeanPlusStdTimesNoise() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let reference = try VAEFixture.reference("tiny-sd1")
        let posterior = try vae.latentDistribution(try reference.tensor("vae.encode.input"))
        var random = TestRandom(seed: 7)
        let noise = Tensor(random.floats(posterior.mean.count), shape: posterior.mean.shape)
        let sample = posterior.sample(noise: noise)
        let (m, l, n) = (posterior.mean.floats(), posterior.logvar.floats(), noise.floats())
        var expected = [Double](repeating: 0, count: m.count)
        for i in 0..<m.count {
            let std: Double = exp(0.5 * Double(l[i]))
            expected[i] = Double(m[i]) + std * Double(n[i])
        }
        let report = closeness(sample, expected, shape: sample.shape, rtol: 1e-6, atol: 1e-6)
        #expect(report.passes, "sample: \(report)")
        #expect(posterior.mode.floats() == m)
    }

    /// Sizes not divisible by the VAE factor: each down-sampling rounds down (diffusers gives
    /// [1, 4, 16, 15] for a 33 × 31 image on this VAE, checked with torch).
    @Test func oddImageSizesRoundDown() throws {
        let vae = try VAEFixture.model("tiny-sd1")
        let (mean, logvar) = try vae.encode(Tensor(zeros: [1, 3, 33, 31]))
        #expect(mean.shape == [1, 4, 16, 15] && logvar.shape == [1, 4, 16, 15])
        #expect(try vae.decode(mean).shape == [1, 3, 32, 30])
    }

    @Test func parameterCountIsTheCheckpoints() throws {
        let vae = try VAEFixture.model("tiny-sd2")
        let file = try SafeTensorsFile(path: VAEFixture.weightsPath("tiny-sd2"))
        let count = file.infos.reduce(0) { $0 + $1.shape.reduce(1, *) }
        #expect(vae.parameterCount == count && vae.storedDTypes == [.bf16: count])
        #expect(vae.scalingFactor == 0.18215 && vae.vaeScaleFactor == 2 && vae.shiftFactor == nil)
        #expect(vae.summary == "AutoencoderKL: blocks [32, 64] × 1 resnets, 8 groups, latent 4, 2× down-sampling, "
                + "mid-block attention, scaling_factor 0.18215, 0.7M parameters, f32 (stored bf16)")
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

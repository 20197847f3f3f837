import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// `AutoencoderTiny.encode` / `decode` against diffusers on the tiny fixture (Fixtures/tiny-taesd: stages
/// (16, 16), encoder blocks (1, 2), decoder blocks (2, 1), ReLU, so 2× down-sampling; reference computed by
/// torch in float32, one thread), and the full-size TAESD layout.
///
/// Tolerance (f32 compute), as for `AutoencoderKL` (VAEFixtureTests): |Δ| ≤ 1e-4·|e| + 1e-4·max|e|. The
/// chains are ≤ 12 convolutions of ≤ 144 products each, ReLUs, one tanh; f32 rounding in another summation
/// order than oneDNN's differs by ≈ 1e-7 relative per op. Measured (CPUBackend): decode max abs error 1.1e-6
/// (max|e| 1.16), encode 4.8e-7 (max|e| 1.08), every intermediate ≤ 2.7e-6: a 100× margin. A wrong op (tanh clamp missing, ReLU in the wrong
/// place, up-sampling before instead of after the blocks, a missing `(x + 1) / 2`) shows up at 1e-2 or more.
@Suite struct TinyVAEFixtureTests {
    static let rtol = 1e-4

    static func compare(_ actual: Tensor, _ expected: Tensor, rtol: Double = rtol) -> Closeness {
        let scale = expected.floats().reduce(0) { max($0, abs(Double($1))) }
        return closeness(actual, expected, rtol: rtol, atol: rtol * scale)
    }

    @Test func decodeMatchesDiffusers() throws {
        let vae = try TinyVAEFixture.model()
        let reference = try TinyVAEFixture.reference()
        let recorder = IntermediateRecorder()
        let image = try vae.decode(try reference.tensor("decode.input"), observe: recorder.record)
        #expect(image.shape == [1, 3, 32, 32])
        // conv_in, act, block, block, upsample, conv, block, conv_out: diffusers' decoder.layers.0 … 7
        #expect(recorder.modules == (0...7).map { "decoder.layers.\($0)" })
        for (i, (module, tensor)) in recorder.outputs.enumerated() {
            let report = Self.compare(tensor, try reference.tensor("decode.intermediate.\(i)"))
            print("AutoencoderTiny decode \(module): \(report)")
            #expect(report.passes, "decode \(module): \(report)")
        }
        let report = Self.compare(image, try reference.tensor("decode.expected"))
        print("AutoencoderTiny decode: \(report)")
        #expect(report.passes, "decode: \(report)")
    }

    @Test func encodeMatchesDiffusers() throws {
        let vae = try TinyVAEFixture.model()
        let reference = try TinyVAEFixture.reference()
        let recorder = IntermediateRecorder()
        let latents = try vae.encode(try reference.tensor("encode.input"), observe: recorder.record)
        #expect(latents.shape == [1, 4, 16, 16])
        // conv_in, block, stride-2 conv, block, block, conv_out: diffusers' encoder.layers.0 … 5
        #expect(recorder.modules == (0...5).map { "encoder.layers.\($0)" })
        for (i, (module, tensor)) in recorder.outputs.enumerated() {
            let report = Self.compare(tensor, try reference.tensor("encode.intermediate.\(i)"))
            print("AutoencoderTiny encode \(module): \(report)")
            #expect(report.passes, "encode \(module): \(report)")
        }
        let report = Self.compare(latents, try reference.tensor("encode.latents"))
        print("AutoencoderTiny encode: \(report)")
        #expect(report.passes, "encode: \(report)")
    }

    /// A stride-2 convolution with padding 1 rounds odd sizes up (33 × 31 → 17 × 16), unlike
    /// AutoencoderKL's bottom/right-padded one, which rounds down.
    @Test func oddImageSizesRoundUp() throws {
        let vae = try TinyVAEFixture.model()
        let reference = try TinyVAEFixture.reference()
        let latents = try vae.encode(try reference.tensor("odd.input"))
        let report = Self.compare(latents, try reference.tensor("odd.latents"))
        #expect(latents.shape == [1, 4, 17, 16] && report.passes, "odd size: \(report)")
        #expect(try vae.decode(latents).shape == [1, 3, 34, 32])
    }

    /// `scale_latents` (÷ 2·latent_magnitude, + latent_shift, clamp to [0, 1]) and `unscale_latents`: the
    /// same f32 operations as torch, so equal to rounding (one division, one addition, one product).
    @Test func scaleAndUnscaleLatentsMatchDiffusers() throws {
        let vae = try TinyVAEFixture.model()
        let reference = try TinyVAEFixture.reference()
        let scaled = vae.scaleLatents(try reference.tensor("scale.input"))
        let expected = try reference.tensor("scale.expected")
        let report = closeness(scaled, expected, rtol: 1e-6, atol: 1e-7)
        #expect(report.passes, "scale_latents: \(report)")
        #expect(scaled.floats().allSatisfy { $0 >= 0 && $0 <= 1 })
        let unscaled = closeness(vae.unscaleLatents(expected), try reference.tensor("unscale.expected"), rtol: 1e-6, atol: 1e-6)
        #expect(unscaled.passes, "unscale_latents: \(unscaled)")
    }

    /// A batch of two runs each element as a batch of one would (every op is per sample).
    @Test func batchOfTwoDecodesEachElement() throws {
        let vae = try TinyVAEFixture.model()
        let z = try TinyVAEFixture.reference().tensor("decode.input")
        let cpu = CPUBackend()
        let images = try vae.decode(cpu.concat([z, cpu.scale(z, by: -0.5)], dim: 0))
        #expect(images.sliced(dim: 0, 0..<1).floats() == (try vae.decode(z)).floats())
        #expect(images.sliced(dim: 0, 1..<2).floats() == (try vae.decode(cpu.scale(z, by: -0.5))).floats())
    }

    /// Weights stored in f16 (what `--precision f16` holds) with f32 compute: within the weights' rounding
    /// (2^-11 relative each, growing over a dozen convolutions; measured: max abs error 1.1e-3 with max|e| 1.16, i.e.
    /// 9e-4 of the scale). Allowed: 5e-3 of max|e|.
    @Test func halfWeightsStayWithinTheirRounding() throws {
        var half: [String: Tensor] = [:]
        for (key, tensor) in try TinyVAEFixture.tensors() { half[key] = tensor.hostConverted(to: .f16) }
        let vae = try AutoencoderTiny(config: TinyVAEFixture.config(),
                                      weights: WeightStore(tensors: half, dtype: nil, source: "tiny-taesd in f16"),
                                      backend: CPUBackend(), computeDType: .f32)
        #expect(vae.storedDTypes.keys.contains(.f16) && vae.dtype == .f32)
        let reference = try TinyVAEFixture.reference()
        let report = Self.compare(try vae.decode(try reference.tensor("decode.input")), try reference.tensor("decode.expected"), rtol: 5e-3)
        print("AutoencoderTiny decode with f16 weights: \(report)")
        #expect(report.passes, "f16 weights: \(report)")
    }

    /// madebyollin/taesd and madebyollin/taesdxl (diffusers' default AutoencoderTiny): every key of their
    /// checkpoints is read by the same code, none is missing or left over; 8 pixels per latent.
    @Test func fullSizeTAESDLayoutLoads() throws {
        let (config, _, keys) = try TinyVAEFixture.fullSize()
        let vae = try AutoencoderTiny(config: config, weights: TinyVAEFixture.fullSizeStore(), backend: CPUBackend())
        #expect(vae.parameterCount == keys.values.reduce(0) { $0 + $1.reduce(1, *) })
        #expect(vae.parameterCount == 2_445_063)
        #expect(vae.vaeScaleFactor == 8 && vae.scalingFactor == 1 && vae.shiftFactor == nil && vae.latentChannels == 4)
        #expect(keys.keys.contains("encoder.layers.2.weight") && keys.keys.contains("decoder.layers.18.bias"))
        #expect(vae.summary == "AutoencoderTiny: encoder 4 × 64 channels (1, 3, 3, 3 blocks), decoder 4 × 64 channels "
                + "(3, 3, 3, 1 blocks), relu, latent 4, 8× down-sampling, scaling_factor 1.0, 2.4M parameters, f32 (stored f32)")
        // zeros everywhere: conv outputs 0 → the decoder's last conv gives 0 → image 0 · 2 − 1 = −1
        let image = try vae.decode(Tensor(zeros: [1, 4, 2, 3]))
        #expect(image.shape == [1, 3, 16, 24] && image.floats().allSatisfy { $0 == -1 })
        #expect(try vae.encode(Tensor(zeros: [1, 3, 16, 24])).shape == [1, 4, 2, 3])
    }

    @Test func parameterCountAndSummary() throws {
        let vae = try TinyVAEFixture.model()
        let file = try SafeTensorsFile(path: TinyVAEFixture.weightsPath)
        #expect(vae.parameterCount == file.infos.reduce(0) { $0 + $1.shape.reduce(1, *) })
        #expect(vae.className == "AutoencoderTiny" && vae.attentionLayers.isEmpty && vae.vaeScaleFactor == 2)
        #expect(vae.summary == ("AutoencoderTiny: encoder 2 × 16 channels (1, 2 blocks), decoder 2 × 16 channels (2, 1 blocks), relu, latent 4, 2× down-sampling, scaling_factor 1.0, 48.4k parameters, f32 (stored f32)"))
    }
}

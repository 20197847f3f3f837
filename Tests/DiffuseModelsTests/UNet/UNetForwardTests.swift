import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// Forward-pass behaviour beyond the reference case: timesteps per batch element, swapped attention
/// processors, a reduced compute dtype, and inputs that do not fit.
@Suite struct UNetForwardTests {
    /// Timesteps per batch element: [981, 981] equals the scalar 981, and [981, 500] gives row 0 of the
    /// t = 981 run and row 1 of the t = 500 run (diffusers `timesteps.expand(batch)` semantics).
    @Test func perBatchTimestepsMatchScalarRuns() throws {
        let unet = try TinyUNet.load("sd1")
        let (sample, _, text) = try TinyUNet.inputs("sd1")
        let at981 = try unet.forward(sample: sample, timestep: 981, encoderHiddenStates: text)
        let at500 = try unet.forward(sample: sample, timestep: 500, encoderHiddenStates: text)
        let same = try unet.forward(sample: sample, timesteps: [981, 981], encoderHiddenStates: text)
        #expect(same.floats() == at981.floats())
        // An i64 [B] tensor, as a scheduler loop passes it.
        let mixed = try unet.forward(sample: sample, timestep: Tensor(ids: [981, 500], shape: [2]),
                                     encoderHiddenStates: text)
        let rows = mixed.chunked(2, dim: 0)
        #expect(rows[0].floats() == at981.chunked(2, dim: 0)[0].floats())
        #expect(rows[1].floats() == at500.chunked(2, dim: 0)[1].floats())
        #expect(at981.floats() != at500.floats())
    }

    /// Swapping every processor (diffusers `set_attn_processor`) or only some layers by prefix changes
    /// the listed names and not the result. Sliced attention runs the same kernels one head at a time,
    /// so the results agree to the rounding of a different GEMM blocking (bound 1e-6; measured: identical).
    @Test func swappedAttentionProcessorsGiveTheSameResult() throws {
        let unet = try TinyUNet.load("sd2")
        let (sample, timestep, text) = try TinyUNet.inputs("sd2")
        #expect(unet.attentionProcessors.allSatisfy { $0.processor == "sdpa" }) // the default
        try unet.setAttentionProcessor(VanillaAttention())
        let baseline = try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text)

        try unet.setAttentionProcessor(SlicedAttention(sliceSize: 1), layers: ["down_blocks.0."])
        let partly = unet.attentionProcessors
        #expect(partly.filter { $0.processor == "sliced(1)" }.allSatisfy { $0.layer.hasPrefix("down_blocks.0.") })
        #expect(partly.contains { $0.processor == "vanilla" })
        let mixed = try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text)

        try unet.setAttentionProcessor(SlicedAttention(sliceSize: 3))
        #expect(unet.attentionProcessors.allSatisfy { $0.processor == "sliced(3)" })
        let sliced = try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text)

        for (name, out) in [("partly sliced", mixed), ("all sliced", sliced)] {
            let report = closeness(out, baseline, rtol: 1e-6, atol: 1e-6)
            print("processors \(name) vs vanilla: \(report)")
            #expect(report.passes, "\(name): \(report)")
        }
        #expect(throws: AttentionLayerError.self) {
            try unet.setAttentionProcessor(VanillaAttention(), layers: ["down_blocks.9.attentions.0"])
        }
    }

    /// Computing in float16 (tiny-sd2's stored dtype, weights used as stored). Activations are rounded
    /// to f16 (11-bit mantissa, 4.9e-4 relative) after every op, about 60 ops deep; the bound for
    /// half precision is ~1e-2 relative. Checked as max |error| / max |expected| ≤ 1e-2 (measured 1.6e-3,
    /// max abs error 3.3e-3 on outputs of peak ≈ 2).
    @Test func float16ComputeStaysWithinHalfPrecisionTolerance() throws {
        let unet = try TinyUNet.load("sd2", dtype: .f16)
        let (out, _) = try TinyUNet.run(unet, family: "sd2")
        #expect(out.dtype == .f16)
        let expected = try TinyUNet.reference("sd2").tensor("unet.noise_pred")
        let relative = maxRelativeToPeak(out, expected)
        print("tiny-sd2 f16 compute: max err / peak \(relative); \(closeness(out, expected, rtol: 1e-2, atol: 1e-2))")
        #expect(relative <= 1e-2)
    }

    /// Wrong shapes are errors naming the argument, never a crash inside a kernel.
    @Test func badInputsAreClearErrors() throws {
        let unet = try TinyUNet.load("sd1")
        let (sample, timestep, text) = try TinyUNet.inputs("sd1")
        func argument(_ body: () throws -> Tensor) -> String? {
            do { _ = try body(); return nil } catch let e as UNetInputError { return e.argument } catch { return "other: \(error)" }
        }
        // 3 channels instead of 4
        #expect(argument { try unet.forward(sample: Tensor(zeros: [2, 3, 16, 16]), timestep: timestep, encoderHiddenStates: text) } == "sample")
        // an empty side (odd sides are fine: diffusers' upsample_size path, UNetFixtureTests)
        #expect(argument { try unet.forward(sample: Tensor(zeros: [2, 4, 0, 16]), timestep: timestep, encoderHiddenStates: text) } == "sample")
        #expect(argument { try unet.forward(sample: Tensor(zeros: [2, 4, 15, 16]), timestep: timestep, encoderHiddenStates: text) } == nil)
        // three timesteps for a batch of two
        #expect(argument { try unet.forward(sample: sample, timesteps: [1, 2, 3], encoderHiddenStates: text) } == "timestep")
        // text of the wrong width, and of the wrong batch
        #expect(argument { try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: Tensor(zeros: [2, 77, 16])) } == "encoderHiddenStates")
        #expect(argument { try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text.chunked(2, dim: 0)[0]) } == "encoderHiddenStates")
        let error = UNetInputError(argument: "sample", message: "x")
        #expect(error.description.contains("sample"))
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// The SDXL UNet (`addition_embed_type: "text_time"`, transformer depths per block and per attention)
/// against diffusers on `Fixtures/tiny-sdxl` (made by Scripts/fixtures/sdxl.py): `unet/` (depths [1, 2],
/// f32 weights) and `unet_nested/` (depths [[1, 1], [2, 1]], reverse [[1, 1, 1], [2, 1, 2]], f16 weights),
/// one call each with text embeds [2, 40] and time ids [2, 6] (`unet.*`, `unet_nested.*` in
/// reference.safetensors).
///
/// Tolerance atol 1e-4 + rtol 1e-4, as `UNetFixtureTests` and for its reasons: the reference is float32
/// torch, we compute in float32 with other summation orders (blocked GEMM, im2col conv, two-pass norms),
/// each op agreeing with torch to ~1e-6 relative and the differences growing through the layers. unet_nested
/// stores float16 weights and diffusers computed its reference from them upcast to float32, as loading
/// with `dtype: .f32` does (exactly), so the same float32 tolerance applies. Measured (CPUBackend, 2 threads):
/// max abs error 2.6e-6 (unet) and 2.3e-6 (unet_nested), ≈ 1.2e-6 of the output's peak (≈ 2.3); other
/// time ids move the output by up to 0.72, so a missing or misplaced added embedding fails by far.
@Suite struct SDXLUNetTests {
    static let tolerance = (rtol: 1e-4, atol: 1e-4)

    /// The reference call of `prefix` (`unet` or `unet_nested`).
    static func inputs(_ prefix: String) throws -> (sample: Tensor, timestep: Tensor, text: Tensor, added: UNetAddedConditions, out: Tensor) {
        let r = try TinyUNet.reference("sdxl")
        return (try r.tensor("\(prefix).sample"), try r.tensor("\(prefix).timestep"), try r.tensor("\(prefix).encoder_hidden_states"),
                UNetAddedConditions(textEmbeds: try r.tensor("\(prefix).text_embeds"), timeIds: try r.tensor("\(prefix).time_ids")),
                try r.tensor("\(prefix).out"))
    }

    @Test(arguments: ["unet", "unet_nested"])
    func outputMatchesDiffusers(_ folder: String) throws {
        let unet = try TinyUNet.load("sdxl", folder: folder)
        #expect(unet.requiresAddedConditions)
        let x = try Self.inputs(folder)
        var seen: [String: Tensor] = [:]
        let out = try unet.forward(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: x.added) { seen[$0] = $1 }
        let report = closeness(out, x.out, rtol: Self.tolerance.rtol, atol: Self.tolerance.atol)
        print("tiny-sdxl \(folder): \(report); max err / peak \(maxRelativeToPeak(out, x.out))")
        #expect(report.passes, "tiny-sdxl \(folder): \(report)")
        // add_time_proj: [B·n, addition_time_embed_dim]; add_embedding: [B, time_embed_dim]
        #expect(seen["add_time_proj"]?.shape == [12, 8])
        #expect(seen["add_embedding"]?.shape == [2, 128])
    }

    /// The per-attention depths build exactly the modules diffusers has (the key check would also
    /// refuse a mismatch): down block 1 [2, 1], mid block 2 (the last entry's first), up block 0 [1, 1, 1].
    @Test func perAttentionDepthsBuildDiffusersModules() throws {
        let unet = try TinyUNet.load("sdxl", folder: "unet_nested")
        // "….transformer_blocks.<d>.attn1" → "….transformer_blocks.<d>"
        let blocks = Set(unet.attentionProcessors.map { $0.layer.split(separator: ".").dropLast().joined(separator: ".") })
        #expect(blocks == [
            "down_blocks.1.attentions.0.transformer_blocks.0", "down_blocks.1.attentions.0.transformer_blocks.1",
            "down_blocks.1.attentions.1.transformer_blocks.0",
            "mid_block.attentions.0.transformer_blocks.0", "mid_block.attentions.0.transformer_blocks.1",
            "up_blocks.0.attentions.0.transformer_blocks.0", "up_blocks.0.attentions.1.transformer_blocks.0",
            "up_blocks.0.attentions.2.transformer_blocks.0",
        ])
        #expect(unet.blockSummary.contains("down_blocks.1: CrossAttnDownBlock2D 64 ch × 2, 4 heads × 16, depths [2, 1]"))
        #expect(unet.blockSummary.contains("mid_block: UNetMidBlock2DCrossAttn 64 ch, 4 heads × 16, depth 2"))
        #expect(unet.blockSummary.last == "add_embedding: text_time 88 → 128")
    }

    /// The added conditions change the output (the time ids are not ignored): other ids, other result.
    @Test func timeIdsChangeTheOutput() throws {
        let unet = try TinyUNet.load("sdxl")
        let x = try Self.inputs("unet")
        let ids = Tensor([64, 64, 0, 0, 64, 64, 64, 64, 0, 0, 64, 64], shape: [2, 6])
        let other = try unet.forward(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text,
                                     added: UNetAddedConditions(textEmbeds: x.added.textEmbeds, timeIds: ids))
        let change = closeness(other, x.out, rtol: 0, atol: 0)
        print("tiny-sdxl other time ids: max abs change \(change.maxAbsError); output peak \(x.out.floats().map(abs).max() ?? 0)")
        #expect(change.maxAbsError > 1e-2)
    }

    /// On a device that refuses host access, host text embeds and time ids are uploaded by the forward,
    /// and the result is the CPU's bit for bit.
    @Test func hostAddedConditionsAreUploaded() throws {
        let device = StrictDevice()
        let backend = StrictBackend(base: CPUBackend(), device: device)
        let strict = try TinyUNet.load("sdxl", backend: backend)
        let x = try Self.inputs("unet")
        device.resetTransfers()
        let out = try strict.forward(sample: backend.upload(x.sample), timestep: x.timestep.floats()[0],
                                     encoderHiddenStates: backend.upload(x.text), added: x.added)
        #expect(device.transfers.map(\.description) == [
            "upload f32 [2, 4, 16, 16]", "upload f32 [2, 77, 80]",        // ours, above
            "upload f32 [2, 40]", "upload f32 [2, 6]",                    // the forward's: text embeds, time ids
        ])
        let cpu = try TinyUNet.load("sdxl").forward(sample: x.sample, timestep: x.timestep.floats()[0],
                                                    encoderHiddenStates: x.text, added: x.added)
        #expect(out.floats() == cpu.floats())
    }

    // MARK: Errors

    @Test func missingAddedConditionsAreNamed() throws {
        let unet = try TinyUNet.load("sdxl")
        let x = try Self.inputs("unet")
        let error = try #require(throws: UNetInputError.self) {
            try unet.forward(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text)
        }
        #expect(error.argument == "added")
        #expect(error.description.contains("is missing") && error.description.contains("text_time"))
    }

    @Test func addedConditionsOnAPlainUNetAreRefused() throws {
        let unet = try TinyUNet.load("sd1")
        #expect(!unet.requiresAddedConditions)
        let (sample, timestep, text) = try TinyUNet.inputs("sd1")
        let added = UNetAddedConditions(textEmbeds: Tensor(zeros: [2, 40]), timeIds: Tensor(zeros: [2, 6]))
        let error = try #require(throws: UNetInputError.self) {
            try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text, added: added)
        }
        #expect(error.argument == "added")
        #expect(error.description.contains("takes no added conditions"))
    }

    /// 88 = 40 + 6 × 8: with 40-wide text embeds the UNet needs 6 time ids; the refiner's 5 are refused.
    @Test func wrongTimeIdCountIsNamed() throws {
        let unet = try TinyUNet.load("sdxl")
        let x = try Self.inputs("unet")
        #expect(unet.config.addedTimeIdsCount(textEmbedsWidth: 40) == 6)
        let fiveIds = UNetAddedConditions(textEmbeds: x.added.textEmbeds, timeIds: Tensor(zeros: [2, 5]))
        let error = try #require(throws: UNetInputError.self) {
            try unet.forward(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: fiveIds)
        }
        #expect(error.argument == "added.timeIds")
        #expect(error.description.contains("[2, 5]") && error.description.contains("expected [2, 6]"))

        // A text width that leaves no whole number of 8-wide time ids.
        let oddText = UNetAddedConditions(textEmbeds: Tensor(zeros: [2, 41]), timeIds: x.added.timeIds)
        let textError = try #require(throws: UNetInputError.self) {
            try unet.forward(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: oddText)
        }
        #expect(textError.argument == "added.textEmbeds")

        let oneRow = UNetAddedConditions(textEmbeds: Tensor(zeros: [1, 40]), timeIds: x.added.timeIds)
        let batchError = try #require(throws: UNetInputError.self) {
            try unet.forward(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: oneRow)
        }
        #expect(batchError.argument == "added.textEmbeds" && batchError.description.contains("[2, P]"))
    }
}

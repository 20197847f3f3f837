import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport
import Testing
@testable import DiffuseCompile

/// The compiled tiny SDXL UNet (`Fixtures/tiny-sdxl/unet`): the added conditions (text embeds, time ids)
/// are graph inputs, so a replay with new ones equals eager on them. Tolerance as `CompiledUNetTests`.
@Suite struct CompiledSDXLUNetTests {
    static func inputs() throws -> (sample: Tensor, timestep: Tensor, text: Tensor, added: UNetAddedConditions) {
        let r = try SafeTensorsFile(path: FixturePaths.path("tiny-sdxl/reference.safetensors"))
        return (try r.tensor("unet.sample"), try r.tensor("unet.timestep"), try r.tensor("unet.encoder_hidden_states"),
                UNetAddedConditions(textEmbeds: try r.tensor("unet.text_embeds"), timeIds: try r.tensor("unet.time_ids")))
    }

    @Test func addedConditionsAreGraphInputs() throws {
        let unet = try CompileTest.tinyUNet("sdxl")
        let compiled = try CompiledUNet(unet)
        let x = try Self.inputs()
        let first = try compiled(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: x.added)
        let eager = try unet.forward(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: x.added)
        #expect(CompileTest.relativeDifference(first, eager) == 0)

        // New text embeds and time ids, same shapes: replayed, not recompiled, and equal to eager on them.
        let added2 = UNetAddedConditions(textEmbeds: CompileTest.random([2, 40], seed: 21),
                                         timeIds: Tensor([64, 48, 8, 0, 64, 48, 16, 16, 0, 0, 16, 16], shape: [2, 6]))
        let replay = try compiled(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: added2)
        let eager2 = try unet.forward(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: added2)
        let difference = CompileTest.relativeDifference(replay, eager2)
        #expect(difference <= 1e-5, "relative difference \(difference)")
        #expect(CompileTest.relativeDifference(replay, first) > 1e-2, "new added conditions must change the result")
        #expect(compiled.summaries.count == 1)
        #expect(compiled.summaries.first?.inputShapes == [[2, 4, 16, 16], [2], [2, 77, 80], [2, 40], [2, 6]])
    }

    @Test func compileAheadTakesTheAddedShapes() throws {
        let compiled = try CompiledUNet(try CompileTest.tinyUNet("sdxl"))
        let summary = try compiled.compile(sampleShape: [1, 4, 8, 8], contextShape: [1, 77, 80],
                                           textEmbedsShape: [1, 40], timeIdsShape: [1, 6])
        #expect(summary.inputShapes.suffix(2) == [[1, 40], [1, 6]])
        // Without them the eager forward's error comes through.
        #expect(throws: UNetInputError.self) {
            try compiled.compile(sampleShape: [1, 4, 8, 8], contextShape: [1, 77, 80])
        }
    }

    @Test func missingOrWrongAddedConditionsGiveTheUNetError() throws {
        let compiled = try CompiledUNet(try CompileTest.tinyUNet("sdxl"))
        let x = try Self.inputs()
        let missing = try #require(throws: UNetInputError.self) {
            try compiled(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text)
        }
        #expect(missing.argument == "added")
        let fiveIds = UNetAddedConditions(textEmbeds: x.added.textEmbeds, timeIds: Tensor(zeros: [2, 5]))
        let wrong = try #require(throws: UNetInputError.self) {
            try compiled(sample: x.sample, timestep: x.timestep, encoderHiddenStates: x.text, added: fiveIds)
        }
        #expect(wrong.argument == "added.timeIds")
        #expect(compiled.summaries.isEmpty)
    }
}

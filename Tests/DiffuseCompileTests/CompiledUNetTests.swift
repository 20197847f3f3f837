import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseTestSupport
import Testing
@testable import DiffuseCompile

/// The compiled tiny UNets against eager. Tolerance 1e-5 of the output's largest magnitude: fusion only
/// changes where the bias and the residual enter each sum (C = (r + b) + Σ instead of (Σ + b) + r), one
/// f32 rounding (≈ 6e-8 relative) per fused op, carried through ≈ 20 layers of the tiny UNet; measured
/// differences are ≈ 1e-6 (8.6e-7 sd1, 9.9e-7 sd2). Without passes the replay runs the very same kernels and must be bit-exact.
@Suite struct CompiledUNetTests {
    @Test(arguments: ["sd1", "sd2"])
    func compiledEqualsEagerOnCapturedAndNewInputs(family: String) throws {
        let unet = try CompileTest.tinyUNet(family)
        let compiled = try CompiledUNet(unet)
        let (sample, timestep, text) = try CompileTest.referenceInputs(family)

        // First call: captures and compiles (returns the capture's eager result).
        let first = try compiled(sample: sample, timestep: timestep, encoderHiddenStates: text)
        let eager = try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text)
        #expect(CompileTest.relativeDifference(first, eager) == 0)
        // Replay on the captured inputs.
        let replay = try compiled(sample: sample, timestep: timestep, encoderHiddenStates: text)
        #expect(CompileTest.relativeDifference(replay, eager) <= 1e-5)

        // Different sample, timestep (one per batch element) and context, same shapes: no recompile.
        let sample2 = CompileTest.random(sample.shape, seed: 11)
        let text2 = CompileTest.random(text.shape, seed: 12)
        let timesteps2 = Tensor([10, 700], shape: [2])
        let compiled2 = try compiled(sample: sample2, timestep: timesteps2, encoderHiddenStates: text2)
        let eager2 = try unet.forward(sample: sample2, timestep: timesteps2, encoderHiddenStates: text2)
        let difference = CompileTest.relativeDifference(compiled2, eager2)
        #expect(difference <= 1e-5, "relative difference \(difference)")
        #expect(CompileTest.relativeDifference(compiled2, replay) > 1e-2, "new inputs must change the result")
        #expect(compiled.summaries.count == 1)

        let summary = try #require(compiled.summaries.first)
        #expect(summary.fusedBiases > 0 && summary.fusedResidualLinears > 0)
        #expect(summary.replayedNodes < summary.capturedNodes)
        #expect(summary.arenaBytes > 0 && summary.arenaAllocations > 0)
        // Only allocations that outlive a replay (the result) come from malloc.
        #expect(summary.mallocAllocations <= 2, "\(summary.mallocAllocations) allocations missed the arena")
        #expect(summary.divergedReplays == 0)
    }

    @Test func replayWithoutPassesIsBitExact() throws {
        let unet = try CompileTest.tinyUNet("sd1")
        let compiled = try CompiledUNet(unet, options: .none)
        let (sample, _, text) = try CompileTest.referenceInputs("sd1")
        _ = try compiled(sample: sample, timestep: 981, encoderHiddenStates: text)
        let sample2 = CompileTest.random(sample.shape, seed: 5)
        let replay = try compiled(sample: sample2, timestep: 3, encoderHiddenStates: text)
        let eager = try unet.forward(sample: sample2, timestep: 3, encoderHiddenStates: text)
        #expect(replay.floats() == eager.floats())
        #expect(compiled.summaries.first?.replayedNodes == compiled.summaries.first?.capturedNodes)
    }

    @Test func newShapeCompilesAgain() throws {
        let unet = try CompileTest.tinyUNet("sd1")
        let compiled = try CompiledUNet(unet)
        let text = CompileTest.random([1, 77, 32], seed: 3)
        for size in [16, 8, 16] {
            let sample = CompileTest.random([1, 4, size, size], seed: UInt64(size))
            let out = try compiled(sample: sample, timestep: 400, encoderHiddenStates: text)
            let eager = try unet.forward(sample: sample, timestep: 400, encoderHiddenStates: text)
            #expect(out.shape == [1, 4, size, size])
            #expect(CompileTest.relativeDifference(out, eager) <= 1e-5)
        }
        #expect(compiled.summaries.map { $0.inputShapes[0] } == [[1, 4, 16, 16], [1, 4, 8, 8]])
    }

    @Test func attentionProcessorChangeCompilesAgain() throws {
        let unet = try CompileTest.tinyUNet("sd1")
        let compiled = try CompiledUNet(unet)
        let (sample, timestep, text) = try CompileTest.referenceInputs("sd1")
        _ = try compiled(sample: sample, timestep: timestep, encoderHiddenStates: text)
        try unet.setAttentionProcessor(VanillaAttention())
        let out = try compiled(sample: sample, timestep: timestep, encoderHiddenStates: text)
        let eager = try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text)
        #expect(compiled.summaries.count == 2)
        #expect(CompileTest.relativeDifference(out, eager) <= 1e-5)
        #expect(compiled.summaries[1].capturedNodes > compiled.summaries[0].capturedNodes)
    }

    @Test func modelNotOnTracingBackendIsRefused() throws {
        let unet = try UNet2DConditionModel(directory: FixturePaths.path("tiny-sd1/unet"), backend: CPUBackend())
        #expect(throws: CompileError.notTraceable("this UNet")) { try CompiledUNet(unet) }
        #expect(CompileError.notTraceable("this UNet").description.contains("TracingBackend(wrapping:"))
    }

    @Test func slicedAttentionCompilesLikeEager() throws {
        // SlicedAttention joins its slices with the concat op (no tensor made outside the backend), so a
        // replay reproduces it: compiled equals eager.
        let unet = try CompileTest.tinyUNet("sd1")
        try unet.setAttentionProcessor(SlicedAttention(sliceSize: 1))
        let compiled = try CompiledUNet(unet)
        let (sample, timestep, text) = try CompileTest.referenceInputs("sd1")
        let replayed = try compiled(sample: sample, timestep: timestep, encoderHiddenStates: text)
        let eager = try unet.forward(sample: sample, timestep: timestep, encoderHiddenStates: text)
        #expect(CompileTest.relativeDifference(replayed, eager) <= 1e-5)
    }

    @Test func badTimestepShapeGivesTheUNetError() throws {
        let compiled = try CompiledUNet(try CompileTest.tinyUNet("sd1"))
        let (sample, _, text) = try CompileTest.referenceInputs("sd1")
        #expect(throws: UNetInputError.self) {
            try compiled(sample: sample, timestep: Tensor([1, 2, 3], shape: [3]), encoderHiddenStates: text)
        }
        #expect(throws: UNetInputError.self) {
            try compiled(sample: Tensor(zeros: [2, 3, 8]), timestep: 1, encoderHiddenStates: text)
        }
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
@testable import DiffuseModels
import DiffuseNN
import DiffuseTestSupport

/// Stored dtype and compute dtype are independent: f32, f16 and bf16 checkpoints load, and the caller
/// picks the dtype the model computes in. (tiny-sd2's real f16 file computed in f16 is in
/// `CLIPTextEncoderFixtureTests.sd2InF16`.)
@Suite struct CLIPTextEncoderDTypeTests {
    /// tiny-sd1 (f32 file) with every tensor rounded to `stored`, computed in `compute`.
    func run(stored: DType, compute: DType) throws -> CLIPTextModelOutput {
        let fixture = TextEncoderFixture.sd1
        let tensors = try fixture.checkpointTensors().mapValues { $0.hostConverted(to: stored) }
        let store = WeightStore(tensors: tensors, dtype: compute, source: "tiny-sd1 as \(stored)")
        let model = try CLIPTextModel(config: fixture.config(), weights: store, backend: CPUBackend())
        #expect(model.dtype == compute)
        return try model(fixture.reference("input_ids"), clipSkip: 1)
    }

    func error(_ out: CLIPTextModelOutput) throws -> (last: Double, pooled: Double, skip: Double) {
        let f = TextEncoderFixture.sd1
        return (scaleRelativeError(out.lastHiddenState, try f.reference("last_hidden_state")),
                scaleRelativeError(out.pooledOutput, try f.reference("pooler_output")),
                scaleRelativeError(out.promptEmbeddings, try f.reference("clip_skip_1")))
    }

    /// bf16 weights (8-bit significand, unit roundoff 3.9e-3) computed in f32: the only error is the
    /// weights' rounding, a relative perturbation ≤ 3.9e-3 per weight that mostly averages out in the
    /// sums; the bound for bf16 weights is ≲ 1e-2.
    @Test func bf16WeightsComputedInF32() throws {
        let e = try error(run(stored: .bf16, compute: .f32))
        print("text encoder tiny-sd1 bf16 weights, f32 compute: last \(e.last), pooled \(e.pooled), clip_skip_1 \(e.skip)")
        #expect(max(e.last, e.pooled, e.skip) <= 1e-2)
    }

    /// f32 weights computed in f16: weights and every op's output rounded to f16 (unit roundoff 4.9e-4);
    /// as for tiny-sd2 in f16, ≲ 1e-2 (measured ≤ 1.3e-3).
    @Test func f32WeightsComputedInF16() throws {
        let e = try error(run(stored: .f32, compute: .f16))
        print("text encoder tiny-sd1 f32 weights, f16 compute: last \(e.last), pooled \(e.pooled), clip_skip_1 \(e.skip)")
        #expect(max(e.last, e.pooled, e.skip) <= 1e-2)
    }

    /// bf16 all the way (weights and every op's output): 8× the f16 roundoff, so ~1e-2 of the scale
    /// (measured ≤ 1.1e-2); bounded at 5e-2 — this guards against a broken bf16 path, not a precision claim.
    @Test func bf16Compute() throws {
        let out = try run(stored: .bf16, compute: .bf16)
        #expect(out.lastHiddenState.dtype == .bf16)
        let e = try error(out)
        print("text encoder tiny-sd1 bf16 weights, bf16 compute: last \(e.last), pooled \(e.pooled), clip_skip_1 \(e.skip)")
        #expect(max(e.last, e.pooled, e.skip) <= 5e-2)
    }

    /// A checkpoint whose stored dtype is the compute dtype is used in place (memory-mapped, no copy):
    /// the parameters the model holds are views of the file; another compute dtype converts once, at load.
    @Test func sameDTypeIsNotCopied() throws {
        let inPlace = try TextEncoderFixture.sd2.model(dtype: .f16)
        #expect(inPlace.embeddings.tokenEmbedding.weight.storage.kind == .mapped)
        #expect(inPlace.layers[1].mlp.fc2.weight.storage.kind == .mapped)
        let converted = try TextEncoderFixture.sd2.model(dtype: .f32)
        #expect(converted.embeddings.tokenEmbedding.weight.storage.kind == .owned)
    }
}

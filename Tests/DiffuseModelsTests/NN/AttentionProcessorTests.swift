import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseNN
import DiffuseTestSupport

/// The materialising processors against torch's `scaled_dot_product_attention` (Fixtures/ops/attention).
/// Tolerance: f32 sums of Lkv ≤ 256 products of O(1) values plus a softmax; float rounding stays below
/// 1e-6 relative per step, so rtol 1e-5 / atol 1e-5 leaves a 10× margin without hiding a wrong result.
@Suite struct AttentionProcessorTests {
    static let file = try! SafeTensorsFile(path: FixturePaths.path("ops/attention.safetensors"))
    static let f32Cases = ["self_2x8x16x4", "cross_2x2x64x16_k77", "realistic_self_1x8x256x40", "causal_1x4x77x8"]

    @Test(arguments: f32Cases)
    func vanillaAndSlicedMatchTorch(_ name: String) throws {
        let f = Self.file
        let q = try f.tensor("\(name).q"), k = try f.tensor("\(name).k"), v = try f.tensor("\(name).v")
        let expected = try f.tensor("\(name).expected")
        let options = AttentionOptions(isCausal: name.hasPrefix("causal"))
        let scale = 1 / Float(q.size(-1)).squareRoot()
        for processor in [VanillaAttention(), SlicedAttention(sliceSize: 3)] as [any AttentionProcessor] {
            let out = try processor.attend(query: q, key: k, value: v, mask: nil, scale: scale,
                                           options: options, backend: CPUBackend())
            let report = closeness(out, expected, rtol: 1e-5, atol: 1e-5)
            #expect(report.passes, "\(processor.name) \(name): \(report)")
        }
    }

    @Test func integerMaskKeepsOnlyMarkedKeys() throws {
        // One query, two keys; the mask drops key 1, so the output is exactly v[0].
        let q = Tensor([1, 0], shape: [1, 1, 1, 2]), k = Tensor([1, 0, 0, 1], shape: [1, 1, 2, 2])
        let v = Tensor([3, 4, 5, 6], shape: [1, 1, 2, 2])
        let mask = Tensor(ids: [1, 0], shape: [1, 1, 1, 2], dtype: .i32)
        let out = try VanillaAttention().attend(query: q, key: k, value: v, mask: mask, scale: 1,
                                                options: AttentionOptions(), backend: CPUBackend())
        #expect(out.floats() == [3, 4])
    }
}

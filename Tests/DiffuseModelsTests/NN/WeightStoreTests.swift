import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseNN
import DiffuseTestSupport

@Suite struct WeightStoreTests {
    @Test func reportsMissingUnusedAndMismatchedKeysTogether() throws {
        let store = WeightStore(tensors: [
            "proj.weight": Tensor(zeros: [4, 3]),
            "proj.bias": Tensor(zeros: [5]),          // wrong shape: the layer wants [4]
            "stale.weight": Tensor(zeros: [2]),       // not used by the model
        ], dtype: .f32, source: "unet")
        let scope = WeightScope(store, backend: CPUBackend())
        _ = Linear(scope["proj"], inFeatures: 3, outFeatures: 4)
        _ = LayerNorm(scope["norm"], dim: 4)          // missing entirely
        let error = try #require(throws: WeightLoadError.self) { try store.finish() }
        #expect(error.missing == ["norm.bias", "norm.weight"])
        #expect(error.unused == ["stale.weight"])
        #expect(error.mismatched == ["proj.bias: expected [4], found [5]"])
        #expect(error.description.contains("unet") && error.description.contains("stale.weight"))
    }

    @Test func convertsToTheComputeDTypeAndAcceptsLegacyNames() throws {
        let weight = Tensor([1, 2, 3, 4], shape: [2, 2]).hostConverted(to: .f16)
        let store = WeightStore(tensors: ["query.weight": weight, "query.bias": Tensor([0.5, -0.5], shape: [2])],
                                dtype: .f32, source: "vae")
        let scope = WeightScope(store, backend: CPUBackend())
        let keys = AttentionProjectionKeys.detect(in: scope)
        #expect(keys == .legacyVAE)
        let linear = Linear(scope[path: keys.query], inFeatures: 2, outFeatures: 2)
        try store.finish()
        #expect(linear.weight.dtype == .f32)
        // y = x·Wᵀ + b with x = [1, 1]: [1+2+0.5, 3+4−0.5]
        #expect(linear(Tensor([1, 1], shape: [1, 2])).floats() == [3.5, 6.5])
    }

    @Test func zeroPaddingMatchesTorchPad() {
        let x = Tensor((1...4).map(Float.init), shape: [1, 1, 2, 2])
        let padded = CPUBackend().pad2D(x, left: 0, right: 1, top: 0, bottom: 1)
        #expect(padded.shape == [1, 1, 3, 3])
        #expect(padded.floats() == [1, 2, 0, 3, 4, 0, 0, 0, 0])
    }
}

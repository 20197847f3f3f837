import Testing
import DiffuseCore

@Suite struct TensorViewTests {
    @Test func permuteThenContiguousMatchesIndexing() {
        let t = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let p = t.permuted([2, 0, 1]) // [4, 2, 3]
        #expect(p.shape == [4, 2, 3])
        #expect(!p.isContiguous)
        let c = p.hostContiguous()
        #expect(c.isContiguous)
        for i in 0..<4 { for j in 0..<2 { for k in 0..<3 {
            #expect(c[i, j, k] == t[j, k, i])
        } } }
    }

    @Test func sliceWithStepAndTranspose() {
        let t = Tensor((0..<20).map(Float.init), shape: [4, 5])
        let s = t.sliced(dim: 1, 1..<5, step: 2) // columns 1 and 3
        #expect(s.shape == [4, 2])
        #expect(s.floats() == [1, 3, 6, 8, 11, 13, 16, 18])
        let tr = s.transposed()
        #expect(tr.floats() == [1, 6, 11, 16, 3, 8, 13, 18])
    }

    @Test func reshapeInfersAndViewsWithoutCopying() {
        let t = Tensor((0..<6).map(Float.init), shape: [2, 3])
        #expect(t.reshaped([3, -1]).shape == [3, 2])
        // A transposed view [3, 2] can split a dimension without moving elements (PyTorch's view rule) …
        let r = t.transposed().reshaped([3, 2, 1])
        #expect(r.storage === t.storage && r.floats() == [0, 3, 1, 4, 2, 5])
        // … but cannot be flattened: that needs a copy (a backend op), so reshape refuses.
        #expect(Tensor.viewStrides(shape: [3, 2], strides: [1, 3], newShape: [6]) == nil)
        #expect(Tensor.viewStrides(shape: [2, 3, 4], strides: [12, 1, 3], newShape: [2, 12]) == nil)
        #expect(Tensor.viewStrides(shape: [2, 3, 4], strides: [12, 4, 1], newShape: [6, 4]) == [4, 1])
        #expect(Tensor.viewStrides(shape: [4, 1, 3], strides: [1, 99, 4], newShape: [4, 3]) == [1, 4])
        // A view of a contiguous tensor shares storage.
        #expect(t.reshaped([6]).storage === t.storage)
    }

    @Test func expandUnsqueezeSqueezeChunk() {
        let t = Tensor([1, 2, 3], shape: [3])
        let e = t.unsqueezed(0).expanded(to: [2, 3])
        #expect(e.floats() == [1, 2, 3, 1, 2, 3])
        #expect(t.unsqueezed(-1).shape == [3, 1])
        #expect(t.unsqueezed(0).squeezed(0).shape == [3])
        let parts = Tensor((0..<8).map(Float.init), shape: [2, 4]).chunked(2, dim: 1)
        #expect(parts[1].floats() == [2, 3, 6, 7])
    }

    @Test func idsTensors() {
        let t = Tensor(ids: [5, -1, 49407], shape: [3], dtype: .i64)
        #expect(t[2] == 49407 && t[1] == -1)
        let c = t.hostConverted(to: .i32)
        #expect(c.dtype == .i32 && c[0] == 5)
    }
}

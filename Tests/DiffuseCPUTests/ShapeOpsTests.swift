import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// upsampleNearest2x, upsampleNearest, concat and embedding move data without arithmetic: results must be bit-exact
/// (compared with ==, in every dtype).
@Suite struct ShapeOpsTests {
    let cpu = CPUBackend()

    /// Raw stored values (no rounding: the Double of an f16/bf16/f32/i64 value is exact).
    func values(_ t: Tensor) -> [Double] { OpTestSupport.doubles(t) }

    // MARK: upsample

    func upsampleReference(_ x: Tensor) -> [Double] {
        let v = values(x), (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        var out: [Double] = []
        for p in 0..<(n * c) { for i in 0..<(2 * h) { for j in 0..<(2 * w) { out.append(v[(p * h + i / 2) * w + j / 2]) } } }
        return out
    }

    @Test func upsampleOddSizesViewsAndDtypes() {
        for x in [OpTestSupport.random([2, 3, 5, 7], seed: 1),
                  OpTestSupport.random([1, 1, 1, 1], seed: 2),
                  OpTestSupport.random([2, 8, 16, 16], seed: 3),
                  OpTestSupport.random([3, 5, 7, 2], seed: 4).permuted([3, 0, 2, 1]),  // [2, 3, 7, 5] view
                  OpTestSupport.random([2, 3, 5, 7], dtype: .f16, seed: 5),
                  OpTestSupport.random([2, 3, 5, 7], dtype: .bf16, seed: 6),
                  Tensor(ids: Array(0..<12), shape: [1, 2, 2, 3], dtype: .i64)] {
            let y = cpu.upsampleNearest2x(x)
            #expect(y.dtype == x.dtype && y.shape == [x.shape[0], x.shape[1], 2 * x.shape[2], 2 * x.shape[3]])
            #expect(values(y) == upsampleReference(x), "upsample \(x.dtype) \(x.shape)")
        }
    }

    /// torch's rule for an explicit size, written independently: Double division, then the Float
    /// scale where torch's Float rounding decides (`scale = Float(in)/Float(out)`, src = floor(dst·scale)).
    func upsampleReference(_ x: Tensor, height oh: Int, width ow: Int) -> [Double] {
        let v = values(x), (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        func index(_ d: Int, _ size: Int, _ outSize: Int) -> Int {
            if outSize == size { return d }
            let scale = Float(size) / Float(outSize)
            return min(Int(Double(Float(d) * scale).rounded(.down)), size - 1)
        }
        var out: [Double] = []
        for p in 0..<(n * c) {
            for i in 0..<oh { for j in 0..<ow { out.append(v[(p * h + index(i, h, oh)) * w + index(j, w, ow)]) } }
        }
        return out
    }

    @Test func upsampleToSizeMatchesReference() {
        let inputs = [OpTestSupport.random([2, 3, 5, 7], seed: 11),
                      OpTestSupport.random([3, 5, 7, 2], seed: 12).permuted([3, 0, 2, 1]),  // [2, 3, 7, 5] view
                      OpTestSupport.random([1, 2, 3, 3], dtype: .f16, seed: 13),
                      OpTestSupport.random([1, 2, 3, 3], dtype: .bf16, seed: 14),
                      Tensor(ids: Array(0..<12), shape: [1, 2, 2, 3], dtype: .i64)]
        for x in inputs {
            let (h, w) = (x.shape[2], x.shape[3])
            for (oh, ow) in [(2 * h, 2 * w), (h, w), (2 * h - 1, 2 * w + 1), (h + 1, 3 * w), (max(1, h - 1), w + 2), (1, 1)] {
                let y = cpu.upsampleNearest(x, height: oh, width: ow)
                #expect(y.dtype == x.dtype && y.shape == [x.shape[0], x.shape[1], oh, ow])
                #expect(values(y) == upsampleReference(x, height: oh, width: ow), "upsample \(x.dtype) \(x.shape) → \(oh)×\(ow)")
            }
        }
    }

    /// Expected values from torch 2.x, generated once with
    ///
    ///     x = torch.arange(h * w, dtype=torch.float32).reshape(1, 1, h, w)
    ///     F.interpolate(x, size=(oh, ow), mode="nearest").flatten().int().tolist()
    ///
    /// 1×14 → 1×46 and 26×1 → 22×1 are cases where torch's Float scale floors one index below the exact
    /// rational floor (output 23 → 6, not 7; output 11 → 12, not 13).
    @Test(arguments: [
        (5, 7, 9, 13, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 14, 14, 15, 15, 16, 16, 17, 17, 18, 18, 19, 19, 20, 14, 14, 15, 15, 16, 16, 17, 17, 18, 18, 19, 19, 20, 21, 21, 22, 22, 23, 23, 24, 24, 25, 25, 26, 26, 27, 21, 21, 22, 22, 23, 23, 24, 24, 25, 25, 26, 26, 27, 28, 28, 29, 29, 30, 30, 31, 31, 32, 32, 33, 33, 34]),
        (3, 3, 5, 6, [0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8]),
        (4, 6, 3, 13, [0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 12, 13, 13, 14, 14, 15, 15, 16, 16, 17, 17]),
        (1, 14, 1, 46, [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 10, 10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 13, 13]),
        (26, 1, 22, 1, [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 20, 21, 22, 23, 24]),
    ])
    func upsampleToSizeMatchesTorch(_ h: Int, _ w: Int, _ oh: Int, _ ow: Int, _ expected: [Int]) {
        let x = Tensor(Array(0..<(h * w)).map(Float.init), shape: [1, 1, h, w])
        let y = cpu.upsampleNearest(x, height: oh, width: ow)
        #expect(y.shape == [1, 1, oh, ow] && values(y) == expected.map(Double.init))
    }

    // MARK: concat

    func concatReference(_ parts: [Tensor], dim: Int) -> [Double] {
        let d = dim < 0 ? dim + parts[0].rank : dim
        let outer = parts[0].shape[..<d].reduce(1, *)
        let blocks = parts.map { ($0.shape[d...].reduce(1, *), values($0)) }
        var out: [Double] = []
        for o in 0..<outer { for (size, v) in blocks { out += v[(o * size)..<((o + 1) * size)] } }
        return out
    }

    @Test func concatAlongEveryDimension() {
        let a = OpTestSupport.random([2, 3, 4, 5], seed: 7)
        for dim in [0, 1, 2, 3, -1, -3] {
            var bShape = a.shape
            bShape[a.normalized(dim)] = 2
            let b = OpTestSupport.random(bShape, seed: 8)
            let y = cpu.concat([a, b, a], dim: dim)
            var shape = a.shape
            shape[a.normalized(dim)] = 2 * a.shape[a.normalized(dim)] + 2
            #expect(y.shape == shape && values(y) == concatReference([a, b, a], dim: dim), "concat dim \(dim)")
        }
        #expect(values(cpu.concat([a], dim: 1)) == values(a))
    }

    @Test func concatUNetSkipConnectionViewsAndDtypes() {
        // The hot case: channel concat of [N, C1, H, W] and [N, C2, H, W].
        let h = OpTestSupport.random([2, 64, 16, 16], seed: 9), skip = OpTestSupport.random([2, 32, 16, 16], seed: 10)
        #expect(values(cpu.concat([h, skip], dim: 1)) == concatReference([h, skip], dim: 1))
        // Views as inputs (copied to contiguous first), an empty part, f16 parts.
        let view = OpTestSupport.random([2, 4, 3, 5], seed: 11).permuted([0, 1, 3, 2]) // [2, 4, 5, 3]
        let empty = Tensor(zeros: [2, 0, 5, 3])
        #expect(values(cpu.concat([view, empty, view], dim: 1)) == concatReference([view.hostContiguous(), view.hostContiguous()], dim: 1))
        let f16 = OpTestSupport.random([2, 3], dtype: .f16, seed: 12)
        let y = cpu.concat([f16, f16], dim: 0)
        #expect(y.dtype == .f16 && values(y) == values(f16) + values(f16))
        // Mixed dtypes: the others are converted to the first's dtype.
        let mixed = cpu.concat([f16, OpTestSupport.random([2, 3], seed: 13)], dim: 1)
        #expect(mixed.dtype == .f16 && mixed.shape == [2, 6])
    }

    @Test func concatRejectsMismatchedShapes() async {
        await #expect(processExitsWith: .failure) {
            _ = CPUBackend().concat([Tensor(zeros: [2, 3, 4]), Tensor(zeros: [2, 5, 3])], dim: 1)
        }
    }

    // MARK: embedding

    @Test func embeddingGathersRowsForAnyIdShape() {
        let table = OpTestSupport.random([10, 7], seed: 14)
        let rows = values(table)
        for dtype in [DType.i32, .i64] {
            let ids = Tensor(ids: [3, 0, 9, 3, 5, 1], shape: [2, 3], dtype: dtype)
            let y = cpu.embedding(table, ids: ids)
            #expect(y.shape == [2, 3, 7] && y.dtype == .f32)
            let expected = [3, 0, 9, 3, 5, 1].flatMap { rows[($0 * 7)..<($0 * 7 + 7)] }
            #expect(values(y) == expected)
        }
        // A bf16 table keeps its dtype; a transposed table view; 77 CLIP-like ids.
        let bf16 = OpTestSupport.random([7, 10], dtype: .bf16, seed: 15).transposed() // [10, 7] view
        let ids = Tensor(ids: (0..<77).map { $0 % 10 }, shape: [1, 77], dtype: .i64)
        let y = cpu.embedding(bf16, ids: ids)
        let bfRows = values(bf16)
        #expect(y.dtype == .bf16 && values(y) == (0..<77).flatMap { bfRows[(($0 % 10) * 7)..<(($0 % 10) * 7 + 7)] })
    }

    @Test func embeddingRejectsOutOfRangeIds() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = CPUBackend().embedding(Tensor(zeros: [10, 4]), ids: Tensor(ids: [1, 10], shape: [2]))
        }
        // The message names the id and the table size.
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("id 10") && message.contains("table of 10 rows"), "stderr: \(message)")
        await #expect(processExitsWith: .failure) {
            _ = CPUBackend().embedding(Tensor(zeros: [10, 4]), ids: Tensor(ids: [-1], shape: [1], dtype: .i32))
        }
    }
}

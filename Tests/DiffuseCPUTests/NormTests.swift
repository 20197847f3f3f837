import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GroupNorm and LayerNorm against Double loops of torch.nn.GroupNorm / LayerNorm (biased variance).
/// f32 tolerance rtol 1e-5, atol 2e-5: outputs are O(1–4) (normalised, times weights ≤ 2), the f32 mean and
/// two-pass variance are accurate to ~1e-7 relative, so errors are a few f32 ulps of the output.
@Suite struct NormTests {
    let cpu = CPUBackend()

    /// Double reference over x [N, C, S...] (row-major values).
    func groupNormReference(_ x: [Double], shape: [Int], groups: Int, weight: [Double]?, bias: [Double]?,
                            eps: Double, silu: Bool) -> [Double] {
        let n = shape[0], c = shape[1], s = shape.dropFirst(2).reduce(1, *), perGroup = c / groups
        var out = [Double](repeating: 0, count: x.count)
        for b in 0..<n {
            for g in 0..<groups {
                let start = (b * c + g * perGroup) * s, count = perGroup * s
                let values = x[start..<(start + count)]
                let mean = values.reduce(0, +) / Double(count)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(count)
                for k in 0..<perGroup {
                    let ch = g * perGroup + k
                    for i in 0..<s {
                        let idx = start + k * s + i
                        var y = (x[idx] - mean) / (variance + eps).squareRoot()
                        y = y * (weight?[ch] ?? 1) + (bias?[ch] ?? 0)
                        out[idx] = silu ? y / (1 + exp(-y)) : y
                    }
                }
            }
        }
        return out
    }

    func layerNormReference(_ x: [Double], d: Int, weight: [Double]?, bias: [Double]?, eps: Double) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        for r in 0..<(x.count / d) {
            let row = x[(r * d)..<((r + 1) * d)]
            let mean = row.reduce(0, +) / Double(d)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d)
            for j in 0..<d {
                out[r * d + j] = (x[r * d + j] - mean) / (variance + eps).squareRoot() * (weight?[j] ?? 1) + (bias?[j] ?? 0)
            }
        }
        return out
    }

    func checkGroupNorm(_ x: Tensor, groups: Int, affine: Bool, silu: Bool, eps: Float = 1e-5, rtol: Double = 1e-5, atol: Double = 2e-5) {
        let c = x.shape[1]
        let weight = affine ? OpTestSupport.random([c], seed: 11, scale: 1, shift: 1) : nil
        let bias = affine ? OpTestSupport.random([c], seed: 12, scale: 0.5) : nil
        let y = cpu.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, fusedSiLU: silu)
        #expect(y.dtype == x.dtype && y.shape == x.shape)
        let expected = groupNormReference(OpTestSupport.doubles(x), shape: x.shape, groups: groups,
                                          weight: weight.map(OpTestSupport.doubles), bias: bias.map(OpTestSupport.doubles),
                                          eps: Double(eps), silu: silu)
        let tol = OpTestSupport.tolerance(x.dtype, f32: rtol, atol: atol)
        let report = closeness(y, expected, shape: x.shape, rtol: tol.rtol, atol: tol.atol)
        #expect(report.passes, "groupNorm \(x.dtype) \(x.shape) groups \(groups) affine \(affine) silu \(silu): \(report)")
    }

    @Test func groupNormOddSizesWithAndWithoutAffineAndSiLU() {
        let x = OpTestSupport.random([2, 6, 5, 7], seed: 1, scale: 2, shift: 0.3)
        for affine in [true, false] { for silu in [false, true] { checkGroupNorm(x, groups: 3, affine: affine, silu: silu) } }
        // One group per channel, and a single group.
        checkGroupNorm(x, groups: 6, affine: true, silu: false)
        checkGroupNorm(x, groups: 1, affine: true, silu: true)
    }

    @Test func groupNormAnySpatialRank() {
        checkGroupNorm(OpTestSupport.random([2, 8], seed: 2), groups: 4, affine: true, silu: false)         // no spatial dims
        checkGroupNorm(OpTestSupport.random([1, 8, 33], seed: 3), groups: 2, affine: true, silu: true)     // 1-D
        checkGroupNorm(OpTestSupport.random([2, 4, 3, 2, 5], seed: 4), groups: 2, affine: false, silu: true) // 3-D
    }

    @Test func groupNormLargeGroupsWithOffsetMean() {
        // Groups of 8·4608 = 36,864 values (several Double-combined blocks) centred at 5: the two-pass variance
        // must not lose precision to the mean. Same f32 tolerance.
        checkGroupNorm(OpTestSupport.random([2, 32, 64, 72], seed: 5, scale: 1, shift: 5), groups: 4, affine: true, silu: true)
    }

    @Test func groupNormViewsAndHalfPrecisionInputs() {
        let base = OpTestSupport.random([3, 2, 6, 5], seed: 6, scale: 3)
        checkGroupNorm(base.permuted([1, 2, 0, 3]), groups: 3, affine: true, silu: false) // [2, 6, 3, 5] view
        for dtype in [DType.f16, .bf16] {
            checkGroupNorm(OpTestSupport.random([2, 6, 5, 7], dtype: dtype, seed: 7, scale: 2), groups: 3, affine: true, silu: true)
        }
    }

    @Test func groupNormRejectsGroupsThatDoNotDivideChannels() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = CPUBackend().groupNorm(Tensor(zeros: [1, 6, 2, 2]), groups: 4, weight: nil, bias: nil, eps: 1e-5, fusedSiLU: false)
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("groupNorm: 4 groups do not divide the 6 channels of input [1, 6, 2, 2]"), "stderr: \(message)")
    }

    func checkLayerNorm(_ x: Tensor, weight: Bool, bias: Bool, eps: Float = 1e-5) {
        let d = x.shape[x.rank - 1]
        let w = weight ? OpTestSupport.random([d], seed: 21, shift: 1) : nil
        let b = bias ? OpTestSupport.random([d], seed: 22, scale: 0.5) : nil
        let y = cpu.layerNorm(x, weight: w, bias: b, eps: eps)
        #expect(y.dtype == x.dtype && y.shape == x.shape)
        let expected = layerNormReference(OpTestSupport.doubles(x), d: d, weight: w.map(OpTestSupport.doubles),
                                          bias: b.map(OpTestSupport.doubles), eps: Double(eps))
        let tol = OpTestSupport.tolerance(x.dtype, f32: 1e-5, atol: 2e-5)
        let report = closeness(y, expected, shape: x.shape, rtol: tol.rtol, atol: tol.atol)
        #expect(report.passes, "layerNorm \(x.dtype) \(x.shape) weight \(weight) bias \(bias): \(report)")
    }

    @Test func layerNormRowsOfManyLengths() {
        for d in [1, 3, 16, 77, 768] {
            checkLayerNorm(OpTestSupport.random([3, 5, d], seed: UInt64(d), scale: 2, shift: 1), weight: true, bias: true)
        }
        let x = OpTestSupport.random([4, 33], seed: 30)
        checkLayerNorm(x, weight: false, bias: false)
        checkLayerNorm(x, weight: true, bias: false)
        checkLayerNorm(x, weight: false, bias: true)
        // Many rows: split across threads.
        checkLayerNorm(OpTestSupport.random([2, 1024, 320], seed: 31, scale: 3), weight: true, bias: true)
    }

    @Test func layerNormViewsAndHalfPrecisionInputs() {
        checkLayerNorm(OpTestSupport.random([40, 6], seed: 32).transposed(), weight: true, bias: true) // [6, 40] view
        for dtype in [DType.f16, .bf16] {
            checkLayerNorm(OpTestSupport.random([5, 320], dtype: dtype, seed: 33, scale: 2), weight: true, bias: true)
        }
    }
}

extension NormTests {
    /// Work is split by groups / rows, never inside a reduction, so the thread count cannot change a result.
    @Test func resultsDoNotDependOnTheThreadCount() {
        let x = OpTestSupport.random([2, 32, 24, 24], seed: 40, scale: 2)
        let t = OpTestSupport.random([512, 320], seed: 41, scale: 2)
        func run() -> [[Float]] {
            [cpu.groupNorm(x, groups: 8, weight: nil, bias: nil, eps: 1e-6, fusedSiLU: true).floats(),
             cpu.layerNorm(t, weight: nil, bias: nil, eps: 1e-5).floats(),
             cpu.softmax(t).floats()]
        }
        let threads = Parallel.threadCount
        Parallel.threadCount = 1
        let single = run()
        Parallel.threadCount = threads
        #expect(run() == single)
    }
}

extension NormTests {
    @Test func emptyTensors() {
        #expect(cpu.layerNorm(Tensor(zeros: [0, 8]), weight: nil, bias: nil, eps: 1e-5).shape == [0, 8])
        #expect(cpu.groupNorm(Tensor(zeros: [0, 4, 3]), groups: 2, weight: nil, bias: nil, eps: 1e-5, fusedSiLU: true).shape == [0, 4, 3])
        #expect(cpu.groupNorm(Tensor(zeros: [2, 4, 0]), groups: 2, weight: nil, bias: nil, eps: 1e-5, fusedSiLU: false).shape == [2, 4, 0])
    }
}

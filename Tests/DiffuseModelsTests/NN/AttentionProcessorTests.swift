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
        let processors: [any AttentionProcessor] = [VanillaAttention(), SlicedAttention(sliceSize: 3),
                                                    ScaledDotProductAttention()]
        for processor in processors {
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

    /// Every processor, and SDPA forced to each kernel, against attention computed in Double, over
    /// seeded random shapes (head dims that are not multiples of 8, lengths that fit no tile,
    /// cross-attention) and storage dtypes. Tolerances: f32 sums of ≤ 300 products with a softmax,
    /// rtol/atol 2e-5; f16 inputs are rounded to f16 first in the reference too, so only the output
    /// rounding (2⁻¹¹) differs: atol 2e-3; bf16 likewise with 2⁻⁸: atol 1.6e-2.
    @Test(arguments: [DType.f32, .f16, .bf16])
    func everyProcessorMatchesDouble(_ dtype: DType) throws {
        var random = TestRandom(seed: 7)
        let shapes = [(1, 2, 7, 7, 13), (2, 3, 50, 77, 40), (1, 1, 129, 33, 64), (1, 2, 300, 300, 8)]
        for (b, h, lq, lkv, d) in shapes {
            let q = Tensor(random.floats(b * h * lq * d), shape: [b, h, lq, d]).hostConverted(to: dtype)
            let k = Tensor(random.floats(b * h * lkv * d), shape: [b, h, lkv, d]).hostConverted(to: dtype)
            let v = Tensor(random.floats(b * h * lkv * d), shape: [b, h, lkv, d]).hostConverted(to: dtype)
            let expected = Self.reference(q, k, v)
            let atol = dtype == .f32 ? 2e-5 : dtype == .f16 ? 2e-3 : 1.6e-2
            let scale = 1 / Float(d).squareRoot()
            var runs: [(String, () throws -> Tensor)] = []
            for processor in [VanillaAttention(), SlicedAttention(sliceSize: 2), ScaledDotProductAttention()] as [any AttentionProcessor] {
                runs.append((processor.name, {
                    try processor.attend(query: q, key: k, value: v, mask: nil, scale: scale,
                                         options: AttentionOptions(), backend: CPUBackend())
                }))
            }
            for choice in [AttentionChoice.flash, .memoryEfficient, .math] {
                runs.append(("sdpa/\(choice)", {
                    try choice.processor.attend(query: q, key: k, value: v, mask: nil, scale: scale,
                                                options: AttentionOptions(), backend: CPUBackend())
                }))
            }
            for (name, run) in runs {
                let report = closeness(try run(), expected, shape: [b, h, lq, d], rtol: 2e-5, atol: atol)
                #expect(report.passes, "\(name) \(dtype) \([b, h, lq, lkv, d]): \(report)")
            }
        }
    }

    @Test func choicesParseAndForceKernels() throws {
        #expect(AttentionChoice(userName: "memory-efficient") == .memoryEfficient)
        #expect(AttentionChoice(userName: "Flash") == .flash)
        #expect(AttentionChoice(userName: "xformers") == nil)
        #expect(AttentionChoice.sliced.processor.name == "sliced(1)")
        #expect(AttentionChoice.auto.backends == nil && AttentionChoice.math.backends == [.math])
        // A forced kernel that cannot run the call fails with its reason instead of falling back:
        // flash refuses head dims above 512.
        let q = Tensor(zeros: [1, 1, 2, 600]), k = Tensor(zeros: [1, 1, 2, 600])
        #expect(throws: SDPError.self) {
            try AttentionChoice.flash.processor.attend(query: q, key: k, value: k, mask: nil, scale: 1,
                                                       options: AttentionOptions(), backend: CPUBackend())
        }
    }

    /// softmax(q·kᵀ/√d)·v in Double from the (already rounded) stored inputs.
    static func reference(_ q: Tensor, _ k: Tensor, _ v: Tensor) -> [Double] {
        let (b, h, lq, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let lkv = k.shape[2]
        let qs = q.floats().map(Double.init), ks = k.floats().map(Double.init), vs = v.floats().map(Double.init)
        let scale = 1 / Double(d).squareRoot()
        var out = [Double](repeating: 0, count: b * h * lq * d)
        for bh in 0..<(b * h) {
            for i in 0..<lq {
                var scores = [Double](repeating: 0, count: lkv)
                for j in 0..<lkv {
                    var dot = 0.0
                    for c in 0..<d { dot += qs[(bh * lq + i) * d + c] * ks[(bh * lkv + j) * d + c] }
                    scores[j] = dot * scale
                }
                let m = scores.max()!
                let e = scores.map { libmExp($0 - m) }
                let sum = e.reduce(0, +)
                for c in 0..<d {
                    var acc = 0.0
                    for j in 0..<lkv { acc += e[j] / sum * vs[(bh * lkv + j) * d + c] }
                    out[(bh * lq + i) * d + c] = acc
                }
            }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
private func libmExp(_ x: Double) -> Double { Glibc.exp(x) }
#elseif canImport(Darwin)
import Darwin
private func libmExp(_ x: Double) -> Double { Darwin.exp(x) }
#endif

import Testing
import DiffuseCore
@testable import DiffuseCPU
import DiffuseTestSupport

/// Each CPU attention kernel against the Double reference (`AttentionReference`) over shapes, layouts,
/// masks, causal masking, scales and storage dtypes. Tolerances: `AttentionReference.tolerance`.
@Suite struct AttentionKernelTests {
    let cpu = CPUBackend()

    func check(_ p: AttentionProblem, _ kernel: SDPBackend, _ label: String,
               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(p.validationErrors.isEmpty, "\(label): \(p.validationErrors)", sourceLocation: sourceLocation)
        #expect(cpu.attentionRefusals(kernel, for: p).isEmpty, "\(label): \(kernel) refused", sourceLocation: sourceLocation)
        let out = cpu.attention(p, using: kernel)
        #expect(out.dtype == p.outputDType && out.shape == p.outputShape, sourceLocation: sourceLocation)
        let tol = AttentionReference.tolerance(p.outputDType)
        let report = closeness(out, AttentionReference.compute(p), shape: p.outputShape, rtol: tol.rtol, atol: tol.atol)
        #expect(report.passes, "\(kernel) \(label): \(report)", sourceLocation: sourceLocation)
    }

    @Test(arguments: SDPBackend.allCases)
    func headDims(_ kernel: SDPBackend) {
        for d in [8, 13, 40, 64, 80, 160, 256, 512] {
            let (q, k, v) = AttentionReference.qkv(b: 1, h: 2, lq: d > 100 ? 33 : 77, lkv: 100, d: d, seed: UInt64(d))
            check(AttentionProblem(q: q, k: k, v: v), kernel, "head dim \(d)")
        }
    }

    @Test(arguments: SDPBackend.allCases)
    func lengthsThatAreNotTileMultiples(_ kernel: SDPBackend) {
        for (lq, lkv) in [(1, 1), (1, 7), (7, 77), (77, 77), (100, 300), (300, 100), (49, 129)] {
            let (q, k, v) = AttentionReference.qkv(b: 1, h: 1, lq: lq, lkv: lkv, d: 40, seed: UInt64(lq * 1000 + lkv))
            check(AttentionProblem(q: q, k: k, v: v), kernel, "lq \(lq) lkv \(lkv)")
        }
    }

    @Test(arguments: SDPBackend.allCases)
    func crossAttentionInHeadSplitLayout(_ kernel: SDPBackend) {
        let (q, k, v) = AttentionReference.qkv(b: 2, h: 3, lq: 64, lkv: 77, d: 40, seed: 7, headSplitLayout: true)
        #expect(!q.isContiguous)
        check(AttentionProblem(q: q, k: k, v: v), kernel, "cross 64×77, permuted views")
    }

    @Test(arguments: SDPBackend.allCases)
    func valueDimDiffersFromHeadDim(_ kernel: SDPBackend) {
        let q = AttentionReference.random([1, 2, 30, 16], seed: 1, scale: 2)
        let k = AttentionReference.random([1, 2, 50, 16], seed: 2, scale: 2)
        let v = AttentionReference.random([1, 2, 50, 24], seed: 3)
        check(AttentionProblem(q: q, k: k, v: v), kernel, "Dv 24 ≠ D 16")
    }

    @Test(arguments: SDPBackend.allCases)
    func masks(_ kernel: SDPBackend) {
        let (b, h, lq, lkv) = (2, 2, 50, 77)
        let (q, k, v) = AttentionReference.qkv(b: b, h: h, lq: lq, lkv: lkv, d: 40, seed: 11)
        // Key padding (boolean, [B, 1, 1, Lkv]): batch 0 keeps 60 keys, batch 1 keeps 10.
        let keep = (0..<b).flatMap { bi in (0..<lkv).map { j in Float(j < (bi == 0 ? 60 : 10) ? 1 : 0) } }
        let padding = Tensor(keep, shape: [b, 1, 1, lkv])
        check(AttentionProblem(q: q, k: k, v: v, mask: .boolean(padding)), kernel, "boolean key padding")
        // An integer boolean mask, [Lq, Lkv], random.
        var rng = TestRandom(seed: 5)
        let ids = (0..<(lq * lkv)).map { _ in rng.uniform() > -0.6 ? 1 : 0 }
        check(AttentionProblem(q: q, k: k, v: v, mask: .boolean(Tensor(ids: ids, shape: [lq, lkv], dtype: .i32))),
              kernel, "boolean [Lq, Lkv] i32")
        // Additive, full [B, H, Lq, Lkv] and broadcast [1, 1, Lq, Lkv] in f16.
        let full = AttentionReference.random([b, h, lq, lkv], seed: 12, scale: 3)
        check(AttentionProblem(q: q, k: k, v: v, mask: .additive(full)), kernel, "additive [B, H, Lq, Lkv]")
        let shared = AttentionReference.random([1, 1, lq, lkv], seed: 13, dtype: .f16, scale: 3)
        check(AttentionProblem(q: q, k: k, v: v, mask: .additive(shared)), kernel, "additive [1, 1, Lq, Lkv] f16")
        // Rows with every key masked give 0.
        var blocked = [Float](repeating: 0, count: lq * lkv)
        for i in 0..<lq where i % 3 == 0 { for j in 0..<lkv { blocked[i * lkv + j] = -.infinity } }
        let p = AttentionProblem(q: q, k: k, v: v, mask: .additive(Tensor(blocked, shape: [lq, lkv])))
        check(p, kernel, "fully masked rows")
        let out = cpu.attention(p, using: kernel).floats()
        #expect(out[0..<40].allSatisfy { $0 == 0 }, "\(kernel): a fully masked row must be 0")
    }

    @Test(arguments: SDPBackend.allCases)
    func causal(_ kernel: SDPBackend) {
        for (lq, lkv) in [(100, 100), (50, 130), (130, 50), (1, 7), (200, 200)] {
            let (q, k, v) = AttentionReference.qkv(b: 1, h: 2, lq: lq, lkv: lkv, d: 24, seed: UInt64(lq + lkv))
            check(AttentionProblem(q: q, k: k, v: v, isCausal: true), kernel, "causal \(lq)×\(lkv)")
        }
        let (q, k, v) = AttentionReference.qkv(b: 1, h: 1, lq: 77, lkv: 77, d: 8, seed: 3)
        let mask = AttentionReference.random([77, 77], seed: 4, scale: 2)
        check(AttentionProblem(q: q, k: k, v: v, mask: .additive(mask), isCausal: true), kernel, "causal + additive mask")
    }

    @Test(arguments: SDPBackend.allCases)
    func explicitScale(_ kernel: SDPBackend) {
        let (q, k, v) = AttentionReference.qkv(b: 1, h: 2, lq: 40, lkv: 60, d: 64, seed: 21)
        check(AttentionProblem(q: q, k: k, v: v, scale: 0.3), kernel, "scale 0.3")
        check(AttentionProblem(q: q, k: k, v: v, scale: 0), kernel, "scale 0 (uniform weights)")
    }

    @Test(arguments: SDPBackend.allCases, [DType.f16, .bf16])
    func halfPrecisionStorage(_ kernel: SDPBackend, _ dtype: DType) {
        let (q, k, v) = AttentionReference.qkv(b: 2, h: 2, lq: 77, lkv: 90, d: 40, seed: 31, dtype: dtype,
                                               headSplitLayout: true)
        check(AttentionProblem(q: q, k: k, v: v), kernel, "\(dtype) storage, \(dtype) output")
        check(AttentionProblem(q: q, k: k, v: v, outputDType: .f32), kernel, "\(dtype) storage, f32 output")
        let mask = AttentionReference.random([2, 1, 77, 90], seed: 32, dtype: dtype, scale: 2)
        check(AttentionProblem(q: q, k: k, v: v, mask: .additive(mask), isCausal: true), kernel, "\(dtype) masked causal")
    }

    @Test(arguments: SDPBackend.allCases)
    func largeBatchUsesEveryThread(_ kernel: SDPBackend) {
        let (q, k, v) = AttentionReference.qkv(b: 2, h: 8, lq: 130, lkv: 130, d: 40, seed: 41)
        check(AttentionProblem(q: q, k: k, v: v), kernel, "2×8×130×130×40")
    }
}

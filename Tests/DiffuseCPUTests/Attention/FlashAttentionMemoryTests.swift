import Testing
import DiffuseCore
@testable import DiffuseCPU
import DiffuseTestSupport

/// The flash kernel's extra memory: its per-thread scratch (the only thing it allocates besides the
/// result; `FlashAttention.run` allocates exactly `Scratch.floats` per running thread) does not depend on
/// the kv length or the query length, while the materialising kernels' does.
@Suite struct FlashAttentionMemoryTests {
    func problem(lq: Int, lkv: Int, d: Int = 40) -> AttentionProblem {
        // Stride-0 views: only the shapes matter here.
        let q = Tensor(zeros: [1, 1, 1, d]).expanded(to: [2, 8, lq, d])
        let kv = Tensor(zeros: [1, 1, 1, d]).expanded(to: [2, 8, lkv, d])
        return AttentionProblem(q: q, k: kv, v: kv)
    }

    @Test func flashScratchIsIndependentOfSequenceLengths() {
        let cpu = CPUBackend()
        for d in [40, 80, 160] {
            let small = cpu.attentionScratchBytes(.flash, for: problem(lq: 4096, lkv: 77, d: d))
            let large = cpu.attentionScratchBytes(.flash, for: problem(lq: 4096, lkv: 4096, d: d))
            let huge = cpu.attentionScratchBytes(.flash, for: problem(lq: 4096, lkv: 1 << 20, d: d))
            #expect(small == large && large == huge, "d \(d): \(small), \(large), \(huge)")
            // At most a few hundred KiB per thread (L2-sized), far below one head of scores.
            #expect(large <= Parallel.threadCount * 512 * 1024)
        }
        let math = cpu.attentionScratchBytes(.math, for: problem(lq: 4096, lkv: 4096))
        #expect(math == 2 * 8 * 4096 * 4096 * 4)
        let flash = cpu.attentionScratchBytes(.flash, for: problem(lq: 4096, lkv: 4096))
        #expect(flash * 100 < math, "flash \(flash) B should be < 1% of math's \(math) B")
        let chunked = cpu.attentionScratchBytes(.memoryEfficient, for: problem(lq: 4096, lkv: 4096))
        #expect(chunked < math / 64 && chunked > flash)
    }

    @Test func scratchLayoutHoldsEveryBuffer() {
        for (d, dv) in [(8, 8), (13, 13), (40, 40), (16, 24), (256, 256)] {
            let s = FlashAttention.Scratch(headDim: d, valueDim: dv)
            let br = FlashAttention.queryTile, bc = s.keyBlock, dvp = (dv + 3) / 4 * 4
            #expect(s.floats == d * br + bc * d + bc * dvp + bc * br + dvp * br + 2 * br)
        }
    }

    /// A kv length far past anything a tile holds: the kernel streams it with the same scratch.
    @Test func longKeySequences() {
        let (q, k, v) = AttentionReference.qkv(b: 1, h: 1, lq: 5, lkv: 20_000, d: 8, seed: 3)
        let p = AttentionProblem(q: q, k: k, v: v)
        let out = CPUBackend().attention(p, using: .flash)
        let report = closeness(out, AttentionReference.compute(p), shape: p.outputShape, rtol: 1e-5, atol: 2e-6)
        #expect(report.passes, "\(report)")
    }
}

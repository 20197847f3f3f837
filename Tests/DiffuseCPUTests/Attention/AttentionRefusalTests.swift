import Testing
import DiffuseCore
@testable import DiffuseCPU
import DiffuseTestSupport

/// The CPU backend's requirement checks: one line per failed requirement, math never refuses.
@Suite struct AttentionRefusalTests {
    let cpu = CPUBackend()

    @Test func supportedCallsAreRefusedByNoKernel() {
        let (q, k, v) = AttentionReference.qkv(b: 1, h: 2, lq: 10, lkv: 12, d: 40, seed: 1, headSplitLayout: true)
        for kernel in SDPBackend.allCases {
            #expect(cpu.attentionRefusals(kernel, for: AttentionProblem(q: q, k: k, v: v)).isEmpty)
        }
    }

    @Test func anyBackendAnswersTheAttentionCapabilityQuery() {
        let backend: any Backend = CPUBackend()
        let (q, k, v) = AttentionReference.qkv(b: 1, h: 1, lq: 3, lkv: 5, d: 600, seed: 1)
        let problem = AttentionProblem(q: q, k: k, v: v)
        #expect(!backend.supports(problem.op(.flash), problem.operands))
        #expect(backend.supports(problem.op(.math), problem.operands))
    }

    @Test func headDimAbove512RefusesFlashOnly() {
        let (q, k, v) = AttentionReference.qkv(b: 1, h: 1, lq: 3, lkv: 5, d: 600, seed: 1)
        let p = AttentionProblem(q: q, k: k, v: v)
        let flash = cpu.attentionRefusals(.flash, for: p)
        #expect(flash.count == 1 && flash[0].contains("head dim 600 > 512"), "\(flash)")
        #expect(cpu.attentionRefusals(.memoryEfficient, for: p).isEmpty)
        #expect(cpu.attentionRefusals(.math, for: p).isEmpty)
    }

    @Test func everyFailedRequirementHasItsOwnLine() {
        // Mixed dtypes and a non-unit last-dim stride, head dim 600: flash fails three checks.
        let q = AttentionReference.random([1, 1, 3, 600], seed: 1)
        let k = AttentionReference.random([1, 1, 600, 5], seed: 2, dtype: .f16).transposed(2, 3)
        let v = AttentionReference.random([1, 1, 5, 600], seed: 3)
        let p = AttentionProblem(q: q, k: k, v: v)
        #expect(p.validationErrors.isEmpty)
        let flash = cpu.attentionRefusals(.flash, for: p)
        #expect(flash.count == 3, "\(flash)")
        #expect(flash.contains { $0.contains("one dtype") && $0.contains("f16") })
        #expect(flash.contains { $0.contains("stride 1") && $0.contains("k has stride 5") })
        let chunked = cpu.attentionRefusals(.memoryEfficient, for: p)
        #expect(chunked.count == 2, "\(chunked)")
        #expect(cpu.attentionRefusals(.math, for: p).isEmpty)
        // Math runs it, and right.
        let out = cpu.attention(p, using: .math)
        let report = closeness(out, AttentionReference.compute(p), shape: p.outputShape, rtol: 1e-5, atol: 2e-6)
        #expect(report.passes, "\(report)")
    }

    @Test func veryLongKeysRefuseMemoryEfficient() {
        let lkv = MemoryEfficientAttention.maxKVLength + 1
        let q = Tensor(zeros: [1, 1, 1, 8]), kv = Tensor(zeros: [1, 1, 1, 8]).expanded(to: [1, 1, lkv, 8])
        let reasons = cpu.attentionRefusals(.memoryEfficient, for: AttentionProblem(q: q, k: kv, v: kv))
        #expect(reasons.count == 1 && reasons[0].contains("kv length \(lkv)"), "\(reasons)")
    }

    @Test func validationNamesTheProblem() {
        let q = Tensor(zeros: [1, 2, 3, 8]), k = Tensor(zeros: [1, 2, 4, 7])
        let bad = AttentionProblem(q: q, k: k, v: k, mask: .additive(Tensor(zeros: [5, 4])))
        let errors = bad.validationErrors
        #expect(errors.contains { $0.contains("head dim 7") })
        #expect(errors.contains { $0.contains("does not broadcast") })
        #expect(AttentionProblem(q: Tensor(zeros: [3, 8]), k: k, v: k).validationErrors.contains { $0.contains("4-D") })
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseNN
import DiffuseTestSupport

/// `scaledDotProductAttention`'s choice of kernel: priority order, scoped overrides, forced-backend failures
/// with every reason, and `explain`.
@Suite struct SDPDispatchTests {
    let cpu = CPUBackend()

    func inputs(d: Int = 40) -> (Tensor, Tensor, Tensor) {
        AttentionReference.qkv(b: 1, h: 2, lq: 20, lkv: 30, d: d, seed: 9, headSplitLayout: true)
    }

    @Test func flashRunsByDefault() throws {
        let (q, k, v) = inputs()
        let p = AttentionProblem(q: q, k: k, v: v)
        #expect(SDPDispatch.defaultPriority == [.flash, .memoryEfficient, .math])
        #expect(try SDPDispatch.select(p, on: cpu) == .flash)
        let out = try scaledDotProductAttention(q, k, v, on: cpu)
        let report = closeness(out, AttentionReference.compute(p), shape: p.outputShape, rtol: 1e-5, atol: 2e-6)
        #expect(report.passes, "\(report)")
    }

    @Test func aRefusedBackendFallsToTheNextInPriority() throws {
        let (q, k, v) = inputs(d: 600)
        #expect(try SDPDispatch.select(AttentionProblem(q: q, k: k, v: v), on: cpu) == .memoryEfficient)
        let explanation = SDPDispatch.explain(q: q, k: k, v: v, on: cpu)
        #expect(explanation.map(\.verdict) == [.refused, .runs, .eligible])
        #expect(explanation[0].reasons.count == 1 && explanation[0].reasons[0].contains("head dim 600 > 512"))
    }

    @Test func aPriorityListRestrictsAndReorders() throws {
        let (q, k, v) = inputs()
        let p = AttentionProblem(q: q, k: k, v: v)
        #expect(try SDPDispatch.select(p, priority: [.math], on: cpu) == .math)
        #expect(SDPDispatch.explain(p, priority: [.math], on: cpu).map(\.verdict) == [.excluded, .excluded, .runs])
        #expect(try SDPDispatch.select(p, priority: [.memoryEfficient, .flash], on: cpu) == .memoryEfficient)
        #expect(try SDPDispatch.select(p, on: cpu) == .flash)
    }

    @Test func unusablePriorityListsAreNamed() {
        #expect(SDPDispatch.priorityError([])?.contains("empty") == true)
        #expect(SDPDispatch.priorityError([.flash, .flash])?.contains("repeats") == true)
        #expect(SDPDispatch.priorityError([.math, .flash]) == nil)
        #expect(ScaledDotProductAttention(priority: [.math]).name == "sdpa(math)")
        #expect(ScaledDotProductAttention().name == "sdpa")
    }

    @Test func aForcedBackendThatCannotRunFailsWithEveryReason() {
        let q = AttentionReference.random([1, 1, 3, 600], seed: 1)
        let k = AttentionReference.random([1, 1, 600, 5], seed: 2, dtype: .f16).transposed(2, 3)
        let v = AttentionReference.random([1, 1, 5, 600], seed: 3)
        do {
            _ = try scaledDotProductAttention(q, k, v, priority: [.flash, .memoryEfficient], on: cpu)
            Issue.record("expected a refusal")
        } catch let SDPError.noBackendCanRun(backend, refusals) {
            #expect(backend == "cpu")
            #expect(refusals.map(\.backend) == [.flash, .memoryEfficient])
            #expect(refusals[0].reasons.count == 3, "\(refusals[0])")
            #expect(refusals[1].reasons.count == 2, "\(refusals[1])")
            let message = SDPError.noBackendCanRun(backend: backend, refusals: refusals).description
            for reason in refusals.flatMap(\.reasons) { #expect(message.contains(reason)) }
        } catch {
            Issue.record("unexpected error \(error)")
        }
        // Without the restriction, math takes it.
        #expect((try? scaledDotProductAttention(q, k, v, on: cpu)) != nil)
    }

    @Test func invalidInputsAreNotRefusals() {
        let q = Tensor(zeros: [1, 2, 3, 8]), k = Tensor(zeros: [1, 2, 4, 7])
        #expect(throws: SDPError.self) { try scaledDotProductAttention(q, k, k, on: cpu) }
        let explanation = SDPDispatch.explain(q: q, k: k, v: k, on: cpu)
        #expect(explanation.allSatisfy { $0.verdict == .refused && $0.reasons.contains { $0.contains("head dim 7") } })
    }

    @Test func backendNamesParse() {
        #expect(SDPBackend(userName: "memory-efficient") == .memoryEfficient)
        #expect(SDPBackend(userName: "FLASH") == .flash)
        #expect(SDPBackend(userName: "vanilla") == nil)
        #expect(SDPBackend.allCases.map(\.description) == ["flash", "memory-efficient", "math"])
    }
}

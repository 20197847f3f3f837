import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/attention.safetensors`: torch's `F.scaled_dot_product_attention` on each kernel.
/// f32 cases: rtol 1e-5, atol 2e-6 (torch is f32 too). f16 / bf16 cases compare with `expected_f32`
/// (torch on the upcast inputs) under the output-rounding tolerance of the dtype, and with torch's own
/// low-precision `expected` at twice that.
@Suite struct AttentionFixtureTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String, isCausal: Bool, scale: Float?
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "causal_1x4x77x8", isCausal: true, scale: nil),
        Case(name: "cross_2x2x64x16_k77", isCausal: false, scale: nil),
        Case(name: "realistic_self_1x8x256x40", isCausal: false, scale: nil),
        Case(name: "self_2x8x16x4", isCausal: false, scale: nil),
        Case(name: "self_2x8x16x4_f16", isCausal: false, scale: nil),
        Case(name: "self_2x8x16x4_bf16", isCausal: false, scale: nil),
    ]

    @Test func metadataMatchesTheCaseList() throws {
        let file = try SafeTensorsFile(path: FixturePaths.path("ops/attention.safetensors"))
        for c in Self.cases {
            let meta = try #require(file.metadata[c.name], "no metadata for \(c.name)")
            #expect(meta.contains("\"is_causal\":\(c.isCausal)"), "\(c.name): \(meta)")
            #expect(meta.contains("\"scale\":null"), "\(c.name): \(meta)")
        }
    }

    @Test(arguments: SDPBackend.allCases, cases)
    func torchReference(_ kernel: SDPBackend, _ c: Case) throws {
        let file = try SafeTensorsFile(path: FixturePaths.path("ops/attention.safetensors"))
        let q = try file.tensor("\(c.name).q"), k = try file.tensor("\(c.name).k")
        let v = try file.tensor("\(c.name).v"), expected = try file.tensor("\(c.name).expected")
        let out = CPUBackend().attention(AttentionProblem(q: q, k: k, v: v, scale: c.scale, isCausal: c.isCausal),
                                         using: kernel)
        #expect(out.dtype == expected.dtype)
        if q.dtype == .f32 {
            let report = closeness(out, expected, rtol: 1e-5, atol: 2e-6)
            #expect(report.passes, "\(kernel) \(c.name): \(report)")
        } else {
            let tol = AttentionReference.tolerance(q.dtype)
            let upcast = try file.tensor("\(c.name).expected_f32")
            let report = closeness(out, upcast, rtol: tol.rtol, atol: tol.atol)
            #expect(report.passes, "\(kernel) \(c.name) vs expected_f32: \(report)")
            let own = closeness(out, expected, rtol: 2 * tol.rtol, atol: 2 * tol.atol)
            #expect(own.passes, "\(kernel) \(c.name) vs torch's \(q.dtype) result: \(own)")
        }
    }
}

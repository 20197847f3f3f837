import Testing
import DiffuseCore
import DiffuseTestSupport

/// Every `Fixtures/ops/<family>.safetensors` is either run by a family test in this folder or listed
/// here as belonging to later work, so a new family cannot be ignored silently.
@Suite struct OpFixtureCoverageTests {
    /// Families with a fixture test (file) in this folder.
    static let tested: Set<String> = ["activation", "cat", "conv2d", "elementwise", "embedding", "matmul",
                                      "norm", "softmax", "timestep_embedding", "upsample"]
    /// Not run yet, with the ops they hold: `sdpa` (attention: no Backend op yet) and the torch-compatible
    /// random draws (`randn`, `rand`, `randn_sequence`: RandomSource, scheduler work).
    static let later: [String: Set<String>] = ["attention": ["sdpa"], "random": ["randn", "rand", "randn_sequence"]]

    @Test func everyFamilyIsTestedOrListed() {
        let families = OpFixtures.families()
        #expect(!families.isEmpty, "no fixture families found under \(FixturePaths.path("ops"))")
        for family in families {
            #expect(Self.tested.contains(family) || Self.later[family] != nil,
                    "Fixtures/ops/\(family).safetensors has no fixture test and is not listed as later work")
        }
        for family in Self.tested { #expect(families.contains(family), "family \(family) has no fixture file") }
    }

    /// The skipped families hold only the skipped ops: a new op added to them would otherwise go untested.
    @Test(arguments: later.keys.sorted())
    func skippedFamiliesHoldOnlySkippedOps(_ family: String) {
        let cases = OpFixtures.cases(family)
        for c in cases {
            #expect(c.loadError == nil, "\(c): \(c.loadError ?? "")")
            #expect(Self.later[family]!.contains(c.op), "\(c): op `\(c.op)` in a skipped family is not run by any test")
        }
    }
}

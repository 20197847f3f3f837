import Testing
import DiffuseCore
import DiffuseTestSupport

/// Every `Fixtures/ops/<family>.safetensors` is either run by a family test in this folder or listed
/// here as belonging to later work, so a new family cannot be ignored silently.
@Suite struct CoverageFixtureTests {
    /// Families with a fixture test (file) in this folder.
    /// (`core` is run by Tests/DiffuseCPUTests/OpConformanceTests.swift through every backend.)
    static let tested: Set<String> = ["activation", "cat", "conv2d", "core", "elementwise", "embedding", "matmul",
                                      "norm", "softmax", "timestep_embedding", "upsample"]
    /// Run elsewhere, with the ops they hold: `sdpa` (Attention/AttentionFixtureTests.swift and
    /// OpConformanceTests.swift) and the torch-compatible random draws (`randn`, `rand`, `randn_sequence`:
    /// the RandomSource tests).
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

/// The harness itself: unknown ops and unreadable cases fail, metadata hints and parameters are read.
@Suite struct HarnessFixtureTests {
    static func fake(op: String, params: [String: FixtureValue] = [:], loadError: String? = nil) -> OpFixtureCase {
        OpFixtureCase(family: "fake", name: "fake_case", op: op, dtypeName: "float32", roles: ["expected"],
                      params: params, tensors: ["expected": Tensor([1], shape: [1])], loadError: loadError)
    }

    @Test func unknownOpFails() {
        withKnownIssue("an unknown op must be a failure") {
            OpFixtureTesting.unknownOp(Self.fake(op: "frobnicate"), known: ["matmul"])
        }
    }

    @Test func unreadableCaseFails() {
        var ran = false
        withKnownIssue("a case that did not load must be a failure") {
            OpFixtureTesting.run(Self.fake(op: "matmul", loadError: "corrupt")) { _ in ran = true }
        }
        #expect(!ran)
    }

    @Test func missingParameterFails() {
        withKnownIssue("a missing parameter must be a failure") {
            OpFixtureTesting.run(Self.fake(op: "conv2d")) { c in _ = try c.int("stride") }
        }
    }

    @Test func toleranceHintsAreRead() throws {
        let norm = OpFixtures.cases("norm")
        let groupOffset = try #require(norm.first { $0.name == "group_norm_offset" })
        let layerOffset = try #require(norm.first { $0.name == "layer_norm_offset" })
        #expect(groupOffset.toleranceHint.atol == 2e-3 && groupOffset.toleranceHint.rtol == nil)
        #expect(layerOffset.toleranceHint.atol == 1e-3)
        #expect(Self.fake(op: "x", params: ["atol": .number(5e-4)]).toleranceHint.atol == 5e-4)
        #expect(norm.first { $0.name == "group_norm_g8" }?.toleranceHint.atol == nil)
    }

    @Test func parametersAreTyped() throws {
        let conv = OpFixtures.cases("conv2d")
        let vae = try #require(conv.first { $0.name == "k3s2p0_vae_downsample" })
        #expect(try vae.ints("pre_pad") == [0, 1, 0, 1])
        #expect(try vae.int("stride") == 2 && vae.bool("bias") == true)
        #expect(vae.inputRoles == ["input", "weight", "bias"])
        #expect(throws: OpFixtureError.self) { try vae.bool("stride") }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

// Shared harness of the op-fixture tests (one file per family in this folder). Each family's test is
// parameterised over its cases, so a failure names the case (`matmul/plain_13x17x9_f16`).
//
// Families deliberately not run here (they belong to later issues; `CoverageFixtureTests` fails when a
// new family appears that is neither run nor listed):
// - `attention` (op `sdpa`): scaled-dot-product attention has no Backend op yet.
// - `random` (ops `randn`, `rand`, `randn_sequence`): the torch-compatible RandomSource is scheduler work.

extension OpFixtureCase: CustomTestStringConvertible {
    public var testDescription: String { "\(family)/\(name)" }
}

enum OpFixtureTesting {
    /// `OPFIXTURES_VERBOSE=1 swift test --filter FixtureTests` prints every comparison (errors and margins).
    static let verbose = ProcessInfo.processInfo.environment["OPFIXTURES_VERBOSE"].map { $0 != "0" && !$0.isEmpty } ?? false

    /// Runs one case: fails on a load error, and turns any thrown error (missing parameter or tensor)
    /// into a failure naming the case.
    static func run(_ c: OpFixtureCase, sourceLocation: SourceLocation = #_sourceLocation,
                    _ body: (OpFixtureCase) throws -> Void) {
        if let error = c.loadError {
            Issue.record("\(c): could not load the case: \(error)", sourceLocation: sourceLocation)
            return
        }
        // The naming convention (Fixtures/README.md): `_f16` / `_bf16` cases hold that dtype and `expected_f32`.
        for (suffix, dtype) in [("_f16", "float16"), ("_bf16", "bfloat16")] where c.name.hasSuffix(suffix) {
            #expect(c.dtypeName == dtype && c.expectedF32 != nil,
                    "\(c): the name says \(dtype) but the case's dtype is \(c.dtypeName) with roles \(c.roles) (inputs \(c.inputRoles.map { "\($0) \(c.tensors[$0]?.dtype.description ?? "?")" }))",
                    sourceLocation: sourceLocation)
        }
        do { try body(c) } catch let error as OpFixtureError {
            Issue.record(Comment(rawValue: error.description), sourceLocation: sourceLocation) // names the case
        } catch {
            Issue.record("\(c): \(error)", sourceLocation: sourceLocation)
        }
    }

    /// An `op` this family's test does not know: a failure, so that new fixture cases are never ignored.
    static func unknownOp(_ c: OpFixtureCase, known: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let message = "\(c): unknown op `\(c.op)` in family `\(c.family)` (this test handles \(known)); "
            + "add it to the family's fixture test"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }

    /// Compares `actual` with `expected` (and, for f16/bf16 cases, with `expected_f32`).
    ///
    /// - tolerance: the float32 tolerance of this op and case (`OpTolerance`); half-precision cases widen it
    ///   by the output rounding (see `OpTolerance`).
    /// - torchRoundings: how many half-precision roundings torch's formula makes for this op (1 unless the
    ///   op is a chain of torch half ops).
    static func check(_ c: OpFixtureCase, _ actual: Tensor, tolerance: OpTolerance, torchRoundings: Int = 1,
                      label: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
        let what = label.isEmpty ? "\(c)" : "\(c) [\(label)]"
        let expected = try c.expected
        #expect(actual.dtype == expected.dtype,
                "\(what): result dtype \(actual.dtype), torch's expected is \(expected.dtype)", sourceLocation: sourceLocation)
        let dtype = expected.dtype
        let tolerance = tolerance.honouring(c.toleranceHint)
        let vsTorch = dtype == .f32 ? tolerance : tolerance.againstTorch(outputDType: dtype, torchRoundings: torchRoundings)
        let report = closeness(actual, expected, rtol: vsTorch.rtol, atol: vsTorch.atol)
        #expect(report.passes, "\(what) vs expected (\(dtype)): \(report)", sourceLocation: sourceLocation)
        if verbose { print("OPFIXTURE \(report.passes ? "pass" : "FAIL") \(what) vs expected (\(dtype)): \(report)") }
        if dtype == .f16 || dtype == .bf16 {
            guard let f32 = c.expectedF32 else {
                Issue.record("\(what): a \(dtype) case without `expected_f32`", sourceLocation: sourceLocation)
                return
            }
            let vsF32 = tolerance.againstF32(outputDType: dtype)
            let report32 = closeness(actual, f32, rtol: vsF32.rtol, atol: vsF32.atol)
            #expect(report32.passes, "\(what) vs expected_f32: \(report32)", sourceLocation: sourceLocation)
            if verbose { print("OPFIXTURE \(report32.passes ? "pass" : "FAIL") \(what) vs expected_f32: \(report32)") }
        }
    }
}

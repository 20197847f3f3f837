#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore

// Op-level PyTorch reference cases (`Fixtures/ops/<family>.safetensors`, see Fixtures/README.md):
// tensors `<case>.<role>`, metadata `<case>` = compact JSON with `op`, `roles`, `dtype` and the op's
// parameters. Any backend's tests can run them; the CPU tests are in Tests/DiffuseCPUTests/OpFixtures/.

/// A JSON value from a case's metadata (numbers are kept as Double; fixture integers are small).
public enum FixtureValue: Decodable, Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([FixtureValue])
    case object([String: FixtureValue])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([FixtureValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: FixtureValue].self)) }
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? "\(Int(d))" : "\(d)"
        case .string(let s): "\"\(s)\""
        case .array(let a): "[" + a.map(\.description).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { "\"\($0)\":\(o[$0]!)" }.joined(separator: ",") + "}"
        }
    }
}

/// Why a case's parameters could not be read (missing key, wrong type). Tests report it as a failure.
public struct OpFixtureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One op case: its name, op, parameters (the metadata object minus `op`/`roles`/`dtype`), dtype and
/// tensors by role. Tensors are zero-copy, read-only views of the memory-mapped fixture file.
public struct OpFixtureCase: Sendable, CustomStringConvertible {
    public let family: String
    public let name: String
    public let op: String
    /// `dtype` of `expected` as written by the generator ("float32", "float16", "bfloat16").
    public let dtypeName: String
    /// Roles in argument order (inputs, then `expected`, then `expected_f32` for half cases).
    public let roles: [String]
    public let params: [String: FixtureValue]
    public let tensors: [String: Tensor]
    /// Set when the case could not be loaded; every other field may then be empty. Tests must fail on it.
    public let loadError: String?

    public var description: String { "\(family)/\(name)" }

    /// `expected`'s dtype (f32 for cases whose dtype name is unknown, which then fail their dtype check).
    public var dtype: DType { DType(userName: dtypeName) ?? .f32 }
    /// The inputs: every role but `expected` / `expected_f32`, in argument order.
    public var inputRoles: [String] { roles.filter { $0 != "expected" && $0 != "expected_f32" } }

    public init(family: String, name: String, op: String, dtypeName: String, roles: [String],
                params: [String: FixtureValue], tensors: [String: Tensor], loadError: String? = nil) {
        self.family = family; self.name = name; self.op = op; self.dtypeName = dtypeName
        self.roles = roles; self.params = params; self.tensors = tensors; self.loadError = loadError
    }

    // MARK: Tensors

    public func tensor(_ role: String) throws -> Tensor {
        guard let t = tensors[role] else {
            throw OpFixtureError("\(self): no tensor for role `\(role)` (roles \(roles))")
        }
        return t
    }

    public func optionalTensor(_ role: String) -> Tensor? { tensors[role] }
    public var expected: Tensor { get throws { try tensor("expected") } }
    /// The float32 reference of a half-precision case (nil for float32 cases).
    public var expectedF32: Tensor? { tensors["expected_f32"] }

    // MARK: Parameters

    public func has(_ key: String) -> Bool { params[key] != nil && params[key] != .null }

    public func double(_ key: String) throws -> Double {
        guard case .number(let d)? = params[key] else { throw missing(key, "a number") }
        return d
    }

    public func double(_ key: String, default value: Double) throws -> Double {
        has(key) ? try double(key) : value
    }

    public func int(_ key: String) throws -> Int {
        let d = try double(key)
        guard d == d.rounded(), abs(d) < 1e15 else { throw missing(key, "an integer") }
        return Int(d)
    }

    public func bool(_ key: String) throws -> Bool {
        guard case .bool(let b)? = params[key] else { throw missing(key, "a boolean") }
        return b
    }

    public func bool(_ key: String, default value: Bool) throws -> Bool {
        has(key) ? try bool(key) : value
    }

    public func string(_ key: String) throws -> String {
        guard case .string(let s)? = params[key] else { throw missing(key, "a string") }
        return s
    }

    public func ints(_ key: String) throws -> [Int] {
        guard case .array(let a)? = params[key] else { throw missing(key, "an array of integers") }
        return try a.map {
            guard case .number(let d) = $0, d == d.rounded() else { throw missing(key, "an array of integers") }
            return Int(d)
        }
    }

    /// Per-case tolerance hints. Structured keys `atol` / `rtol` win; otherwise the free-text `note` is read
    /// for "atol ~X" / "rtol ~X" (the large-offset norm cases say "use atol ~2e-3").
    public var toleranceHint: (rtol: Double?, atol: Double?) {
        func fromNote(_ key: String) -> Double? {
            guard case .string(let note)? = params["note"] else { return nil }
            let marker = Array((key + " ~").utf8), bytes = Array(note.utf8)
            guard bytes.count > marker.count,
                  let start = (0...(bytes.count - marker.count)).first(where: { bytes[$0..<($0 + marker.count)].elementsEqual(marker) })
            else { return nil }
            let allowed = Set("0123456789.e-+".utf8)
            let number = bytes[(start + marker.count)...].prefix { allowed.contains($0) }
            return Double(String(decoding: number, as: UTF8.self))
        }
        func value(_ key: String) -> Double? {
            if case .number(let d)? = params[key] { return d }
            return fromNote(key)
        }
        return (value("rtol"), value("atol"))
    }

    private func missing(_ key: String, _ kind: String) -> OpFixtureError {
        OpFixtureError("\(self): parameter `\(key)` is not \(kind) (\(params[key].map { "\($0)" } ?? "absent"))")
    }
}

/// Loads the cases of a fixture family.
public enum OpFixtures {
    /// The families in `Fixtures/ops/` (file names without `.safetensors`), sorted.
    public static func families() -> [String] {
        let dir = FixturePaths.path("ops")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(".safetensors".count)) }.sorted()
    }

    /// Every case of `ops/<family>.safetensors`, sorted by name, minus those whose op is in `skippingOps`.
    /// Never throws: a file or case that cannot be read becomes a case with `loadError` set, so that the
    /// parameterised test fails naming it instead of silently running nothing.
    public static func cases(_ family: String, skippingOps: Set<String> = []) -> [OpFixtureCase] {
        let path = FixturePaths.path("ops/\(family).safetensors")
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(path: path) } catch {
            return [failed(family, "<file>", "cannot open \(path): \(error)")]
        }
        let caseNames = file.metadata.keys.filter { !$0.hasPrefix("__") }.sorted()
        if caseNames.isEmpty { return [failed(family, "<file>", "\(path) has no cases in its metadata")] }
        var result: [OpFixtureCase] = []
        for name in caseNames {
            do {
                let c = try load(file, family: family, name: name)
                if !skippingOps.contains(c.op) { result.append(c) }
            } catch {
                result.append(failed(family, name, "\(error)"))
            }
        }
        return result
    }

    /// The ops present in a family (for coverage checks).
    public static func ops(_ family: String) -> Set<String> {
        Set(cases(family).map(\.op))
    }

    private static func load(_ file: SafeTensorsFile, family: String, name: String) throws -> OpFixtureCase {
        let json = file.metadata[name]!
        let object: [String: FixtureValue]
        do {
            object = try JSONDecoder().decode([String: FixtureValue].self, from: Data(json.utf8))
        } catch {
            throw OpFixtureError("metadata is not a JSON object: \(error); text: \(json)")
        }
        guard case .string(let op)? = object["op"] else { throw OpFixtureError("metadata has no string `op`: \(json)") }
        guard case .string(let dtype)? = object["dtype"] else { throw OpFixtureError("metadata has no string `dtype`: \(json)") }
        guard case .array(let roleValues)? = object["roles"] else { throw OpFixtureError("metadata has no `roles` array: \(json)") }
        let roles: [String] = try roleValues.map {
            guard case .string(let s) = $0 else { throw OpFixtureError("`roles` holds a non-string: \(json)") }
            return s
        }
        var tensors: [String: Tensor] = [:]
        for role in roles { tensors[role] = try file.tensor("\(name).\(role)") }
        // Tensors named `<case>.<role>` whose role the metadata does not list would be silently ignored.
        let extra = file.names.filter { $0.hasPrefix(name + ".") && !roles.contains(String($0.dropFirst(name.count + 1))) }
        if !extra.isEmpty { throw OpFixtureError("tensors \(extra) are not in `roles` \(roles)") }
        var params = object
        for key in ["op", "roles", "dtype"] { params[key] = nil }
        return OpFixtureCase(family: family, name: name, op: op, dtypeName: dtype, roles: roles,
                             params: params, tensors: tensors)
    }

    private static func failed(_ family: String, _ name: String, _ message: String) -> OpFixtureCase {
        OpFixtureCase(family: family, name: name, op: "", dtypeName: "", roles: [], params: [:], tensors: [:],
                      loadError: message)
    }
}

// MARK: - Tolerances

/// `|actual − expected| ≤ atol + rtol·|expected|` (the rule of `closeness`).
public struct OpTolerance: Sendable, CustomStringConvertible {
    public var rtol: Double
    public var atol: Double
    public init(rtol: Double, atol: Double) { self.rtol = rtol; self.atol = atol }
    public var description: String { "rtol \(rtol), atol \(atol)" }

    // The one place where the op-fixture tolerances are stated and justified.
    //
    // float32 (u = 2⁻²⁴ ≈ 6e-8, the unit roundoff):
    // - `exact`: pure data movement (cat, upsample, embedding) and single correctly-rounded IEEE operations
    //   (add, mul) give bit-identical results in any correct implementation, in every dtype (f16/bf16 add
    //   and mul are computed in f32 and rounded once, by torch and by us alike). Tolerance 0.
    // - `pointwise`: one transcendental per element (silu, gelu, quick_gelu, softmax's exp). Vector
    //   polynomial exp/erf/tanh are good to a few ulps (≲ 1e-6 relative), so rtol 1e-5; atol 1e-6 covers the
    //   tails where torch's own f32 formula cancels (0.5·x·(1 + erf(x/√2)) at x ≈ −4 has absolute error
    //   ~|x|·u ≈ 3e-7 while the value is ~1e-4) and the subnormal tails (silu(−100) ≈ −4e-42).
    // - `reduction(k:scale:)`: sums of K products (matmul, linear, baddbmm, conv with K = Cin·kh·kw).
    //   A different summation order (blocking, FMA) changes the result by ~u·√K·Σ-scale in typical cases,
    //   so atol = 1e-6·√K·max|a|·max|b| (1e-6 ≈ 16u) and rtol 1e-5; relative error alone is meaningless
    //   for outputs that cancel to near zero.
    // - `norm(groupSize:)`: mean and variance are reductions over L elements (relative error ~√L·u), then
    //   (x − μ)·rstd·w + b with outputs of a few units: rtol 1e-5, atol max(1e-5, 2e-7·√L) (1e-5 up to
    //   L = 2500; the realistic 320-channel, 32-group case has L = 2560).
    //   Metadata hints override atol: the large-offset cases (mean 100 or 50, std 0.01) lose
    //   log2(100/0.01) ≈ 13 bits in x − μ, so torch's float32 result is itself ~1e-3 from the float64
    //   truth (ulp(100) = 7.6e-6, / std 0.01 = 7.6e-4 per element); two correct float32 kernels may then
    //   differ by the sum of both errors, hence the generator's "atol ~2e-3" (norm) / "~1e-3" (layer norm).
    //   (numpy, float64 truth: torch's group_norm_offset is 1.06e-3 off, layer_norm_offset 4.9e-4.)
    // - timestep embedding: sin/cos of arguments t·freq up to 999. Torch's vectorised f32 exp may differ
    //   from a correctly rounded exp by 1 ulp, which moves the argument by ≤ |t|·2⁻²³ ≈ 1.2e-4 at t = 999:
    //   atol = 2·max|t|·2⁻²³ (sin/cos have slope ≤ 1), rtol 0.
    //
    // float16 / bfloat16 cases (inputs stored in that dtype), two comparisons:
    // - against `expected_f32` (the op in f32 on the upcast inputs — what our kernels compute before
    //   rounding the output once): the f32 tolerance plus half an ulp of the output dtype,
    //   rtol += 2⁻¹¹ (f16) / 2⁻⁸ (bf16); in the f16 subnormal range (< 2⁻¹⁴) half an ulp is 2⁻²⁵ absolute.
    // - against `expected` (torch's own result in that dtype): torch also computes most CPU half ops in
    //   f32 and rounds once, so the two results are one rounding apart at most: rtol = 1 ulp (2⁻¹⁰ f16 ≈
    //   1e-3, 2⁻⁷ bf16 ≈ 8e-3) plus the f32 tolerance. Where torch composes the op from several half-
    //   precision ops (quick_gelu = x·σ(1.702x): 3 roundings; GEGLU with projection: linear → gelu → mul;
    //   group_norm + silu: 2), torch's result carries those intermediate roundings, amplified where the op
    //   is ill-conditioned (measured with numpy on the fixtures: up to 6 ulps in the negative tails,
    //   within 2 ulps relative + a floor): rtol = 2 ulps and an absolute floor of ~ulp(0.01) in that dtype
    //   (1e-5 f16, 1e-4 bf16) for outputs near zero.

    public static let exact = OpTolerance(rtol: 0, atol: 0)
    public static let pointwise = OpTolerance(rtol: 1e-5, atol: 1e-6)

    public static func reduction(k: Int, scale: Double) -> OpTolerance {
        OpTolerance(rtol: 1e-5, atol: 1e-6 * Double(k).squareRoot() * max(scale, 1e-30))
    }

    public static func norm(groupSize: Int) -> OpTolerance {
        OpTolerance(rtol: 1e-5, atol: max(1e-5, 2e-7 * Double(groupSize).squareRoot()))
    }

    public static func timestepEmbedding(maxArgument: Double) -> OpTolerance {
        OpTolerance(rtol: 0, atol: max(1e-6, 2 * maxArgument * 0x1p-23))
    }

    /// Applies a case's metadata hint (it replaces the computed value).
    public func honouring(_ hint: (rtol: Double?, atol: Double?)) -> OpTolerance {
        OpTolerance(rtol: hint.rtol ?? rtol, atol: hint.atol ?? atol)
    }

    /// Tolerance against `expected_f32` for a half-precision case whose f32 tolerance is `self`.
    public func againstF32(outputDType dtype: DType) -> OpTolerance {
        switch dtype {
        case .f16: return OpTolerance(rtol: rtol + 0x1p-11, atol: atol + 0x1p-25)
        case .bf16: return OpTolerance(rtol: rtol + 0x1p-8, atol: atol)
        default: return self
        }
    }

    /// Tolerance against torch's own result in `dtype`; `torchRoundings` is how many half-precision
    /// roundings torch's formula makes (1 for a single op computed in f32 and rounded once).
    public func againstTorch(outputDType dtype: DType, torchRoundings: Int) -> OpTolerance {
        if rtol == 0 && atol == 0 { return self } // exact ops are exact in every dtype
        let ulpsRelative: Double = torchRoundings > 1 ? 2 : 1
        switch dtype {
        case .f16:
            return OpTolerance(rtol: rtol + ulpsRelative * 0x1p-10,
                               atol: atol + (torchRoundings > 1 ? 1e-5 : 0x1p-24))
        case .bf16:
            return OpTolerance(rtol: rtol + ulpsRelative * 0x1p-7, atol: atol + (torchRoundings > 1 ? 1e-4 : 0))
        default:
            return self
        }
    }
}

extension Tensor {
    /// max |x| over the elements (any dtype/layout), for scaling reduction tolerances.
    public var maxAbs: Double {
        let c = hostContiguous()
        var m = 0.0
        for i in 0..<c.count { let v = abs(c.scalar(atFlat: i)); if v > m || v.isNaN { m = v } }
        return m
    }

    /// A zero-padded copy of [N, C, H, W] (`F.pad(x, [left, right, top, bottom])`), same dtype. Plain
    /// element loop through `scalar`/`setScalar`, independent of the kernels under test.
    public func zeroPadded2d(left: Int, right: Int, top: Int, bottom: Int) -> Tensor {
        precondition(rank == 4 && min(left, right, top, bottom) >= 0, "zeroPadded2d: needs [N, C, H, W] and pads ≥ 0")
        let (n, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let (ph, pw) = (h + top + bottom, w + left + right)
        let source = hostContiguous()
        let out = Tensor(zeros: [n, c, ph, pw], dtype: dtype)
        for plane in 0..<(n * c) {
            for y in 0..<h {
                for x in 0..<w {
                    out.setScalar(source.scalar(atFlat: (plane * h + y) * w + x),
                                  atFlat: (plane * ph + y + top) * pw + x + left)
                }
            }
        }
        return out
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// Every registered backend against PyTorch, op by op, through `Backend.execute` (ggml's
/// `test-backend-ops` idea): the test walks the op list (`Op.kinds`), builds each kind's cases from the
/// torch fixtures (`Fixtures/ops/*.safetensors`; `core` holds the ops the family files lack, made by
/// `Scripts/fixtures/ops_core.py`), uploads the operands to the backend's device, runs the op and
/// compares the downloaded result under the op's stated tolerance (`OpTolerance`, Tests/Support/OpFixtures.swift).
/// A new backend is tested by adding it to `backends`; a new op fails `everyOpKindHasACase` until it
/// has a case here.
@Suite struct OpConformanceTests {
    /// The backends under test. A new backend adds one line.
    static let backends: [String: @Sendable () -> any Backend] = [
        "cpu": { CPUBackend() },
        "strict(cpu)": { StrictBackend(base: CPUBackend()) },
    ]

    /// One op call with torch's answer.
    struct Case: Sendable, CustomTestStringConvertible {
        let fixture: OpFixtureCase
        let op: Op
        /// Operands in `execute` order (host tensors; nil = absent optional operand).
        let operands: [Tensor?]
        let tolerance: OpTolerance
        var testDescription: String { "\(op.kind) ← \(fixture.family)/\(fixture.name)" }
    }

    @Test func everyOpKindHasACase() {
        let covered = Set(Self.cases.map(\.op.kind))
        for kind in Op.kinds { #expect(covered.contains(kind), "op `\(kind)` has no conformance case") }
        #expect(Set(Op.kinds).count == Op.kinds.count)
        // A case whose kind is missing from the list means the list lags behind the enum.
        #expect(covered.isSubset(of: Set(Op.kinds)), "not in Op.kinds: \(covered.subtracting(Op.kinds).sorted())")
    }

    @Test(arguments: backends.keys.sorted(), cases)
    func matchesTorch(_ backendName: String, _ c: Case) throws {
        let backend = Self.backends[backendName]!()
        let inputs = c.operands.map { $0.map { backend.upload($0) } }
        let refusals = backend.refusals(c.op, inputs)
        guard refusals.isEmpty else {
            // Only attention kernels may refuse (a requirement the call does not meet); say which.
            #expect(c.op.kind == "attention", "\(backendName) refuses \(c.op.name): \(refusals)")
            return
        }
        let result = backend.execute(c.op, inputs)
        #expect(result.storage.device === backend.device, "\(backendName): \(c.op.name)'s result is not on its device")
        #expect(result.shape == c.op.outputShape(c.operands.map { $0?.shape }), "shape rule of \(c.op.name)")
        #expect(result.dtype == c.op.outputDType(c.operands.map { $0?.dtype }), "dtype rule of \(c.op.name)")
        if case .cast = c.op {
            // A cast rounds once (to nearest even) or widens exactly: bit-identical to torch.
            let expected = try c.fixture.expected
            #expect(result.dtype == expected.dtype && result.floats() == expected.floats(), "\(backendName): \(c.fixture.name)")
            return
        }
        OpFixtureTesting.run(c.fixture) { f in
            try OpFixtureTesting.check(f, result.toHost(), tolerance: c.tolerance, label: backendName)
        }
    }

    // MARK: Cases from the fixtures

    static let cases: [Case] = {
        var all: [Case] = []
        for family in OpFixtures.families() where family != "random" {
            for f in OpFixtures.cases(family) where f.loadError == nil && (f.dtypeName == "float32" || f.op == "cast") {
                all += (try? cases(for: f)) ?? []
            }
        }
        return all
    }()

    static func cases(for f: OpFixtureCase) throws -> [Case] {
        func t(_ role: String) throws -> Tensor { try f.tensor(role) }
        func one(_ op: Op, _ operands: [Tensor?], _ tolerance: OpTolerance) -> [Case] {
            [Case(fixture: f, op: op, operands: operands, tolerance: tolerance)]
        }
        switch f.op {
        // activation
        case "silu": return one(.activation(.silu), [try t("input")], .pointwise)
        case "sigmoid": return one(.activation(.sigmoid), [try t("input")], .pointwise)
        case "quick_gelu": return one(.activation(.quickGelu), [try t("input")], .pointwise)
        case "gelu":
            return one(.activation(try f.string("approximate") == "tanh" ? .geluTanh : .gelu), [try t("input")], .pointwise)
        case "exp": return one(.activation(.exp), [try t("input")], .pointwise)
        case "relu": return one(.activation(.relu), [try t("input")], .pointwise)
        case "tanh": return one(.activation(.tanh), [try t("input")], .pointwise)
        case "geglu_split": return one(.geglu, [try t("input")], .pointwise)
        case "geglu": return []                                  // projection + GEGLU: two ops, covered above
        // elementwise
        case "add": return one(.add, [try t("a"), try t("b")], .exact)
        case "scale": return one(.scale(Float(try f.double("factor"))), [try t("input")], .exact)
        case "mul": return one(.mul, [try t("a"), try t("b")], .exact)
        case "sub": return one(.sub, [try t("a"), try t("b")], .exact)
        case "divide": return one(.divide(Float(try f.double("divisor"))), [try t("input")], .exact)
        case "clamp":
            return one(.clamp(lower: Float(try f.double("lower")), upper: Float(try f.double("upper"))), [try t("input")], .exact)
        case "linear_combination":
            guard case .array(let values)? = f.params["coefficients"] else { throw OpFixtureError("\(f): no coefficients") }
            let coefficients = values.compactMap { v -> Float? in if case .number(let d) = v { Float(d) } else { nil } }
            return one(.linearCombination(coefficients: coefficients), [try t("x0"), try t("x1"), try t("x2")], .exact)
        // data movement
        case "contiguous": return one(.contiguous, [try t("input").permuted(try f.ints("permute"))], .exact)
        case "cast":
            let target = try t("expected").dtype
            return one(.cast(target), [try t("input")], .exact)
        case "pad2d":
            let p = try f.ints("pad")
            return one(.pad2D(left: p[0], right: p[1], top: p[2], bottom: p[3]), [try t("input")], .exact)
        case "fill":
            let e = try t("expected")
            return one(.fill(shape: try f.ints("shape"), dtype: e.dtype, value: Float(try f.double("value"))), [], .exact)
        case "cat": return one(.concat(dim: try f.int("dim")), try f.inputRoles.map { try t($0) }, .exact)
        case "embedding": return one(.embedding, [try t("weight"), try t("input")], .exact)
        case "upsample_nearest2d":
            let x = try t("input"), e = try t("expected")
            return one(.upsampleNearest(height: e.size(2), width: e.size(3)), [x], .exact)
        case "additive_mask": return one(.additiveMask, [try t("input")], .exact)
        case "causal_mask": return one(.causalMask(queries: try f.int("queries"), keys: try f.int("keys")), [], .exact)
        // normalisation
        case "group_norm", "group_norm_silu":
            let x = try t("input")
            let groups = try f.int("groups")
            return one(.groupNorm(groups: groups, eps: Float(try f.double("eps")), silu: f.op == "group_norm_silu"),
                       [x, f.optionalTensor("weight"), f.optionalTensor("bias")],
                       .norm(groupSize: x.count / x.size(0) / groups))
        case "layer_norm":
            let x = try t("input")
            return one(.layerNorm(eps: Float(try f.double("eps"))), [x, f.optionalTensor("weight"), f.optionalTensor("bias")],
                       .norm(groupSize: x.size(-1)))
        case "softmax":
            // The op is over the last dimension; other dims are a transposed view (SoftmaxFixtureTests).
            let x = try t("input")
            return x.normalized(try f.int("dim")) == x.rank - 1 ? one(.softmax, [x], .pointwise) : []
        // products
        case "matmul":
            let a = try t("a"), b = try t("b")
            let ta = try f.bool("transpose_a"), tb = try f.bool("transpose_b")
            return one(.matmul(transposeA: ta, transposeB: tb, alpha: 1, beta: 0), [a, b, nil],
                       .reduction(k: ta ? a.size(-2) : a.size(-1), scale: a.maxAbs * b.maxAbs))
        case "baddbmm":
            let a = try t("a"), b = try t("b")
            let alpha = try f.double("alpha"), beta = try f.double("beta"), tb = try f.bool("transpose_b", default: false)
            // torch.baddbmm broadcasts c; the op wants c in the result's shape (a stride-0 view is fine).
            let result = Array(a.shape.dropLast()) + [tb ? b.size(-2) : b.size(-1)]
            let c = f.optionalTensor("c")?.expanded(to: result)
            return one(.matmul(transposeA: false, transposeB: tb, alpha: Float(alpha), beta: Float(beta)), [a, b, c],
                       .reduction(k: a.size(-1), scale: abs(alpha) * a.maxAbs * b.maxAbs + abs(beta) * (c?.maxAbs ?? 0)))
        case "linear":
            let x = try t("input"), w = try t("weight")
            return one(.linear(prepacked: false), [x, w, f.optionalTensor("bias"), nil],
                       .reduction(k: x.size(-1), scale: x.maxAbs * w.maxAbs))
        case "linear_fused":
            let x = try t("input"), w = try t("weight")
            let tolerance = OpTolerance.reduction(k: x.size(-1), scale: x.maxAbs * w.maxAbs)
            return one(.linear(prepacked: false), [x, w, try t("bias"), try t("residual")], tolerance)
                + one(.linear(prepacked: true), [x, CPUBackend().contiguous(w.transposed()), try t("bias"), try t("residual")], tolerance)
        case "conv2d":
            var x = try t("input")
            let w = try t("weight")
            if f.has("pre_pad") {                                // F.pad first (the VAE's downsampler): input preparation
                let p = try f.ints("pre_pad")
                x = CPUBackend().pad2D(x, left: p[0], right: p[1], top: p[2], bottom: p[3])
            }
            let stride = try f.int("stride"), padding = try f.int("padding")
            var tolerance = OpTolerance.reduction(k: w.count / w.size(0), scale: x.maxAbs * w.maxAbs)
            if let bias = f.optionalTensor("bias") { tolerance.atol += 1e-6 * bias.maxAbs }
            // 3×3 stride-1 padding-1: the backend may choose Winograd F(4×4), held to 100× the GEMM's atol
            // (WinogradConvTests / Conv2dFixtureTests state and measure it).
            if w.size(2) == 3 && w.size(3) == 3 && stride == 1 && padding == 1 { tolerance.atol *= 100 }
            return one(.conv2d(stride: stride, padding: padding), [x, w, f.optionalTensor("bias")], tolerance)
        case "pointwise_conv":
            let x = try t("input"), w = try t("weight")
            return one(.pointwiseConv, [x, w, try t("bias"), try t("residual")],
                       .reduction(k: w.count / w.size(0), scale: x.maxAbs * w.maxAbs))
        // diffusion
        case "timestep_embedding":
            let x = try t("input"), scale = try f.double("scale")
            return one(.timestepEmbedding(dim: try f.int("embedding_dim"), flipSinToCos: try f.bool("flip_sin_to_cos"),
                                          freqShift: Float(try f.double("downscale_freq_shift")), scale: Float(scale),
                                          maxPeriod: Float(try f.double("max_period"))),
                       [x], .timestepEmbedding(maxArgument: abs(scale) * x.maxAbs))
        case "sdpa":
            let q = try t("q"), k = try t("k"), v = try t("v")
            let isCausal = try f.bool("is_causal")
            // f32 attention: rtol 1e-5, atol 2e-6 (Tests/DiffuseCPUTests/Attention/AttentionFixtureTests.swift).
            return SDPBackend.allCases.map { kernel in
                Case(fixture: f, op: .attention(kernel: kernel, scale: nil, isCausal: isCausal, outputDType: .f32, booleanMask: false),
                     operands: [q, k, v, nil], tolerance: OpTolerance(rtol: 1e-5, atol: 2e-6))
            }
        default:
            throw OpFixtureError("\(f): op `\(f.op)` has no conformance mapping; add it to OpConformanceTests.cases(for:)")
        }
    }

    /// Fixture ops the mapping does not know fail here (never silently skipped).
    @Test func everyFixtureOpIsMapped() {
        for family in OpFixtures.families() where family != "random" {
            for f in OpFixtures.cases(family) where f.dtypeName == "float32" || f.op == "cast" {
                #expect(throws: Never.self, "\(f.family)/\(f.name)") { _ = try Self.cases(for: f) }
            }
        }
    }
}

import DiffuseCore
import DiffuseCPU
import Testing
@testable import DiffuseCompile

/// Each pass on a small captured graph: the ops it replaces are gone, and the replay on new inputs equals
/// the eager function. Tolerance 1e-6 of the largest magnitude: K ≤ 96 products of values in [-1, 1]; the
/// fused forms only add the bias / residual before the products instead of after (one f32 rounding each).
@Suite struct FusionPassTests {
    let backend = TracingBackend(wrapping: CPUBackend())
    // x [2, 40, 24] (M = 80 rows), W [32, 24], bias [32], residual [2, 40, 32].
    let weight = CompileTest.random([32, 24], seed: 1)
    let bias = CompileTest.random([32], seed: 2)

    func linear(_ x: Tensor) -> Tensor { backend.add(backend.matmul(x, weight, transposeB: true), bias) }

    /// Compiles `body` on inputs of `shapes`, checks a replay on new inputs against eager, returns the op counts.
    func check(_ shapes: [[Int]], options: CompileOptions, _ body: @escaping ([Tensor]) -> Tensor) throws -> [String: Int] {
        let inputs = shapes.enumerated().map { CompileTest.random($1, seed: 100 + UInt64($0)) }
        let (graph, _) = try GraphCapture.compile(on: backend, inputs: inputs, options: options) { body($0) }
        let fresh = shapes.enumerated().map { CompileTest.random($1, seed: 200 + UInt64($0)) }
        let replay = graph.run(fresh)
        let eager = body(fresh)
        #expect(replay.shape == eager.shape)
        #expect(CompileTest.relativeDifference(replay, eager) <= 1e-6)
        return graph.executor.graph.opCounts
    }

    @Test func linearBiasBecomesOneGEMM() throws {
        let counts = try check([[2, 40, 24]], options: CompileOptions(fuseResidual: false)) { linear($0[0]) }
        #expect(counts == ["linear": 1])
    }

    @Test func linearResidualBecomesOneGEMM() throws {
        let counts = try check([[2, 40, 24], [2, 40, 32]], options: CompileOptions()) { x in
            backend.add(linear(x[0]), x[1])
        }
        #expect(counts == ["linear": 1])
        // Residual first (add(r, y)) fuses the same way.
        let swapped = try check([[2, 40, 24], [2, 40, 32]], options: CompileOptions()) { x in
            backend.add(x[1], linear(x[0]))
        }
        #expect(swapped == ["linear": 1])
    }

    @Test func biasFreeLinearWithResidual() throws {
        let counts = try check([[80, 24], [80, 32]], options: CompileOptions()) { x in
            backend.add(backend.matmul(x[0], weight, transposeB: true), x[1])
        }
        #expect(counts == ["linear": 1])
    }

    @Test func pointwiseConvResidualBecomesOneGEMM() throws {
        let w = CompileTest.random([6, 5, 1, 1], seed: 3), b = CompileTest.random([6], seed: 4)
        let counts = try check([[2, 5, 7, 9], [2, 6, 7, 9]], options: CompileOptions()) { x in
            backend.add(backend.conv2d(x[0], weight: w, bias: b, stride: 1, padding: 0), x[1])
        }
        #expect(counts == ["pointwiseConv": 1])
    }

    @Test func intermediateWithAnotherConsumerIsNotFused() throws {
        // y = x·Wᵀ is read by the bias add and by a mul: the bias must stay a separate add.
        let counts = try check([[80, 24]], options: CompileOptions()) { x in
            let y = backend.matmul(x[0], weight, transposeB: true)
            return backend.mul(backend.add(y, bias), y)
        }
        #expect(counts == ["linear": 1, "add": 1, "mul": 1])
        // A 3×3 convolution keeps its residual add (the conv kernel has no accumulate option).
        let w = CompileTest.random([6, 5, 3, 3], seed: 5)
        let conv = try check([[1, 5, 8, 8], [1, 6, 8, 8]], options: CompileOptions()) { x in
            backend.add(backend.conv2d(x[0], weight: w, bias: nil, stride: 1, padding: 1), x[1])
        }
        #expect(conv == ["conv2d": 1, "add": 1])
    }

    @Test func prepackedWeightsGiveTheSameResult() throws {
        let options = CompileOptions(prepackWeights: true)
        let counts = try check([[2, 40, 24], [2, 40, 32]], options: options) { x in backend.add(linear(x[0]), x[1]) }
        #expect(counts == ["linear(prepacked)": 1])
        // Below 64 rows the weight is left as it is.
        let small = try check([[2, 24]], options: options) { x in linear(x[0]) }
        #expect(small == ["linear": 1])
    }

    @Test func copiesAndCastsAreRecordedAsOps() throws {
        // A copy of a transposed view and a dtype round trip are backend ops: they must replay on the new
        // inputs, not reuse the captured bytes.
        let counts = try check([[24, 80]], options: .none) { x in
            let t = backend.cast(backend.cast(backend.contiguous(x[0].transposed()), to: .f16), to: .f32)
            return backend.scale(t.reshaped([2, 40, 24]), by: 2)
        }
        #expect(counts == ["contiguous": 1, "cast(f16)": 1, "cast(f32)": 1, "scale": 1])
    }

    @Test func tensorMadeDuringTheCallIsRefused() throws {
        let inputs = [CompileTest.random([4, 4], seed: 9)]
        do {
            _ = try GraphCapture.capture(on: backend, inputs: inputs) { x in
                let offsets = Tensor((0..<16).map(Float.init), shape: [4, 4])   // not a weight, not an op output
                return backend.add(x[0], offsets)
            }
            Issue.record("a tensor created during the capture outside the backend must be refused")
        } catch let error as CompileError {
            let message = "\(error)"
            #expect(message.contains("add reads a f32 tensor of shape [4, 4] that was created during the forward pass outside the backend"))
            #expect(message.contains("run it eagerly"))
        }
        // A tensor made before the capture is a constant and is fine.
        let offsets = Tensor((0..<16).map(Float.init), shape: [4, 4])
        let (graph, _) = try GraphCapture.capture(on: backend, inputs: inputs) { x in backend.add(x[0], offsets) }
        #expect(graph.constants.count == 1)
    }
}

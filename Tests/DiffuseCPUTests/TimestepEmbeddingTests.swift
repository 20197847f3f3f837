import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// diffusers `get_timestep_embedding` (models/embeddings.py).
@Suite struct TimestepEmbeddingTests {
    let cpu = CPUBackend()

    /// The defaults of `Backend.timestepEmbedding(_:dim:flipSinToCos:freqShift:)` (scale 1, max period 10000).
    func embed(_ t: Tensor, dim: Int, flip: Bool, shift: Float) -> Tensor {
        cpu.timestepEmbedding(t, dim: dim, flipSinToCos: flip, freqShift: shift, scale: 1, maxPeriod: 10000)
    }

    /// The formula in exact (Double) arithmetic.
    func reference(_ t: [Double], dim: Int, flip: Bool, shift: Double, scale: Double, maxPeriod: Double) -> [Double] {
        let half = dim / 2
        var out: [Double] = []
        for value in t {
            let args = (0..<half).map { i in scale * value * exp(-log(maxPeriod) * Double(i) / (Double(half) - shift)) }
            let s = args.map { sin($0) }, c = args.map { cos($0) }
            out += flip ? c + s : s + c
            if dim % 2 == 1 { out.append(0) }
        }
        return out
    }

    @Test(arguments: [(320, true, 0.0), (320, false, 1.0), (7, false, 1.0), (1, true, 0.0), (33, true, 1.0)])
    func matchesTheFormula(dim: Int, flip: Bool, shift: Double) {
        let t: [Float] = [0, 1, 37.5, 261, 999]
        let y = cpu.timestepEmbedding(Tensor(t, shape: [5]), dim: dim, flipSinToCos: flip, freqShift: Float(shift),
                                      scale: 1, maxPeriod: 10000)
        #expect(y.dtype == .f32 && y.shape == [5, dim])
        // Like torch, the op rounds t·freq to f32 before sin/cos: for t ≤ 999 that argument carries up to
        // 999 · 2⁻²⁴ ≈ 6e-5 absolute error, hence atol 1.5e-4 against the exact formula.
        let expected = reference(t.map(Double.init), dim: dim, flip: flip, shift: shift, scale: 1, maxPeriod: 10000)
        let report = closeness(y, expected, shape: [5, dim], rtol: 0, atol: 1.5e-4)
        #expect(report.passes, "dim \(dim) flip \(flip) shift \(shift): \(report)")
        if dim % 2 == 1 { for r in 0..<5 { #expect(y[r, dim - 1] == 0) } }
    }

    @Test func matchesTorchValues() {
        // Printed by diffusers 0.x / torch 2.x: get_timestep_embedding(tensor([0., 1., 261., 999.]), 320,
        // flip_sin_to_cos=True, downscale_freq_shift=0), rows 1…3 at columns `idx`. The op follows torch's f32
        // rounding order, but torch's vectorised expf may round a frequency 1 ulp differently from ours; times
        // t = 999 that moves the sin/cos argument by up to ~6e-5. Compared over all 1600 values of this case,
        // 96% are bit-identical and the largest difference is 5.9e-5, hence atol 1e-4.
        let y = embed(Tensor([0, 1, 261, 999], shape: [4]), dim: 320, flip: true, shift: 0)
        let idx = [0, 1, 5, 100, 159, 160, 161, 170, 300, 319]
        let torch: [[Double]] = [
            [0.540302336, 0.586503804, 0.731760979, 0.999994993, 1.0, 0.841470957, 0.809946477, 0.533168435, 0.000316227815, 0.00010592537],
            [-0.969451964, 0.213480517, 0.586847007, 0.678296745, 0.999617875, -0.245281205, 0.976947308, 0.773133576, 0.0824417844, 0.0276429988],
            [0.999649823, 0.802677512, 0.125231117, -0.999846518, 0.994406343, -0.0264607519, 0.596413314, 0.536338866, 0.310683072, 0.105622061],
        ]
        for (r, row) in torch.enumerated() {
            for (k, column) in idx.enumerated() {
                #expect(abs(y[r + 1, column] - row[k]) < 1e-4, "row \(r + 1) column \(column): \(y[r + 1, column]) vs torch \(row[k])")
            }
        }
        // Row 0 (t = 0): sin 0 = 0 in the second half, cos 0 = 1 in the first.
        #expect(y[0, 0] == 1 && y[0, 160] == 0)
    }

    @Test func scaleMaxPeriodAndOddDimAgainstTorch() {
        // get_timestep_embedding(tensor([37.5, 500]), 7, flip_sin_to_cos=False, downscale_freq_shift=1,
        // scale=2.0, max_period=100)
        let torch: [Double] = [-0.38778164982795715, 0.9379998445510864, 0.681638777256012, 0.9217512607574463,
                               0.34663575887680054, 0.7316888570785522, 0.0,
                               0.8268795609474182, -0.5063722133636475, -0.5440211296081543, 0.5623790621757507,
                               0.8623149991035461, -0.83907151222229, 0.0]
        let y = cpu.timestepEmbedding(Tensor([37.5, 500], shape: [2]), dim: 7, flipSinToCos: false, freqShift: 1,
                                      scale: 2, maxPeriod: 100)
        let report = closeness(y, torch, shape: [2, 7], rtol: 0, atol: 1e-4) // as above
        #expect(report.passes, "\(report)")
    }

    @Test func integerAndHalfPrecisionTimesteps() {
        let ints = embed(Tensor(ids: [0, 1, 999], shape: [3], dtype: .i64), dim: 64, flip: true, shift: 0)
        let floats = embed(Tensor([0, 1, 999], shape: [3]), dim: 64, flip: true, shift: 0)
        #expect(ints.dtype == .f32 && ints.floats() == floats.floats())
        let i32 = embed(Tensor(ids: [5, 7], shape: [2], dtype: .i32), dim: 10, flip: false, shift: 1)
        #expect(i32.floats() == embed(Tensor([5, 7], shape: [2]), dim: 10, flip: false, shift: 1).floats())
        // f16 timesteps (exactly representable here) give an f16 embedding: f16 output rounding, atol 1e-3.
        let half = embed(Tensor([0, 1, 999], shape: [3]).hostConverted(to: .f16), dim: 64, flip: true, shift: 0)
        #expect(half.dtype == .f16)
        #expect(closeness(half, floats, rtol: 0, atol: 1e-3).passes)
        // A strided view of timesteps.
        let view = Tensor([0, 9, 1, 9, 999, 9], shape: [3, 2]).sliced(dim: 1, 0..<1).squeezed(1)
        #expect(embed(view, dim: 64, flip: true, shift: 0).floats() == floats.floats())
    }
}

import Testing
import DiffuseCore
import DiffuseCPU
import DiffuseTestSupport

/// `Fixtures/ops/conv2d.safetensors`: `F.conv2d(input, weight, bias, stride, padding)`, NCHW / OIHW.
///
/// `pre_pad` [left, right, top, bottom] (diffusers' VAE `Downsample2D` pads (0, 1, 0, 1) with zeros, then
/// convolves with stride 2 and padding 0): `Backend.conv2d` has only symmetric padding, so the test makes
/// the zero-padded copy itself (`Tensor.zeroPadded2d`, a plain element loop independent of the kernels)
/// and convolves that — the same thing diffusers does with `F.pad`.
///
/// The direct convolution is held to the f32 GEMM's reduction tolerance. 3×3 stride-1 padding-1 cases also
/// run both Winograd variants and the automatic choice (which may be either), with the tolerances
/// `WinogradConvTests` states: 10× (F(2×2)) and 100× (F(4×4)) the GEMM's atol (measured on
/// realistic_k3s1p1_64x32x32: F(4×4) max abs error 3.1e-5 = 1.6× the GEMM's atol).
@Suite struct Conv2dFixtureTests {
    static let cases = OpFixtures.cases("conv2d")
    let cpu = CPUBackend()

    @Test(arguments: cases)
    func matchesTorch(_ c: OpFixtureCase) {
        OpFixtureTesting.run(c) { c in
            guard c.op == "conv2d" else { return OpFixtureTesting.unknownOp(c, known: ["conv2d"]) }
            var x = try c.tensor("input")
            let w = try c.tensor("weight")
            let hasBias = try c.bool("bias", default: c.optionalTensor("bias") != nil)
            let bias = hasBias ? try c.tensor("bias") : nil
            let stride = try c.int("stride"), padding = try c.int("padding"), kernel = try c.int("kernel")
            #expect(w.rank == 4 && w.shape[2] == kernel && w.shape[3] == kernel,
                    "\(c): weight \(w.shape) does not have the metadata's kernel \(kernel)")
            if c.has("pre_pad") {
                let pad = try c.ints("pre_pad")
                guard pad.count == 4 else { throw OpFixtureError("\(c): pre_pad \(pad) is not [left, right, top, bottom]") }
                x = x.zeroPadded2d(left: pad[0], right: pad[1], top: pad[2], bottom: pad[3])
            }
            let k = w.shape[1] * w.shape[2] * w.shape[3]
            var tolerance = OpTolerance.reduction(k: k, scale: x.maxAbs * w.maxAbs)
            if let bias { tolerance.atol += 1e-6 * bias.maxAbs }
            let y = cpu.conv2d(x, weight: w, bias: bias, stride: stride, padding: padding, algorithm: .direct)
            try OpFixtureTesting.check(c, y, tolerance: tolerance)
            if kernel == 3 && stride == 1 && padding == 1 {
                for (algorithm, factor) in [(ConvAlgorithm.winogradF2, 10.0), (.winogradF4, 100), (nil, 100)] {
                    let y = cpu.conv2d(x, weight: w, bias: bias, stride: stride, padding: padding, algorithm: algorithm)
                    try OpFixtureTesting.check(c, y, tolerance: OpTolerance(rtol: tolerance.rtol, atol: factor * tolerance.atol))
                }
            }
        }
    }
}

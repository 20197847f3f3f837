import DiffuseCore

extension CPUBackend {
    /// 2-D convolution as a GEMM (see `ConvGeometry`). x: [N, Cin, H, W], weight: [Cout, Cin, kh, kw],
    /// bias: [Cout] → [N, Cout, Hout, Wout]; computed in f32, result in x's dtype.
    ///
    /// The weight is A, read in place; B panels are gathered from x by `Im2colPanelSource` (a 1×1 stride-1
    /// convolution is a plain GEMM on x). Large images run one GEMM per image writing straight into the
    /// output; small ones (Hout·Wout < 256) put all images side by side in N so the weight is streamed once.
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        let g = ConvGeometry(validating: x, weight: weight, bias: bias, stride: stride, padding: padding)

        // Converted copies are bound to names and kept alive across the kernel call: a temporary's
        // storage may be freed as soon as its pointer has been taken.
        let input = x.converted(to: .f32), w = weight.converted(to: .f32), b = bias?.converted(to: .f32)
        let out = Tensor(zeros: [g.images, g.outChannels, g.outHeight, g.outWidth], dtype: .f32)
        withExtendedLifetime((input, w, b)) {
            ConvKernel.run(g, x: input.pointer(as: Float.self), weight: w.pointer(as: Float.self),
                           bias: b?.pointer(as: Float.self), out: out.pointer(as: Float.self))
        }
        return x.dtype == .f32 ? out : out.converted(to: x.dtype)
    }
}

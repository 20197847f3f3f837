import DiffuseCore

extension CPUBackend {
    /// 2-D convolution as a GEMM (see `ConvGeometry`). x: [N, Cin, H, W], weight: [Cout, Cin, kh, kw],
    /// bias: [Cout] → [N, Cout, Hout, Wout]; computed in f32, result in x's dtype.
    ///
    /// The weight is A, read in place (f32) or converted as it is packed (f16 / bf16); B panels are gathered from x by `Im2colPanelSource` (a 1×1 stride-1
    /// convolution is a plain GEMM on x). Large images run one GEMM per image writing straight into the
    /// output; small ones (Hout·Wout < 256) put all images side by side in N so the weight is streamed once.
    /// 3×3 stride-1 padding-1 convolutions may run by Winograd instead (`ConvAlgorithm.choice`: per shape, or
    /// as `DIFFUSE_CONV` says).
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, algorithm: nil)
    }

    /// `conv2d` with the algorithm chosen by the caller (nil: `ConvAlgorithm.choice`). A Winograd algorithm
    /// asked for a convolution it cannot compute (not 3×3 / stride 1 / padding 1) runs direct.
    public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int,
                       algorithm: ConvAlgorithm?) -> Tensor {
        let g = ConvGeometry(validating: x, weight: weight, bias: bias, stride: stride, padding: padding)

        // x and bias are activations / small vectors: converted to f32 when they are not (a no-op in the
        // pipelines). The weight is read in its stored dtype: f16 / bf16 weights are converted as the GEMM
        // packs them or the Winograd transform reads them (`GEMMOperand`), never widened as a whole.
        // Converted copies are bound to names and kept alive across the kernel call: a temporary's storage
        // may be freed as soon as its pointer is taken.
        let input = x.hostConverted(to: .f32), b = bias?.hostConverted(to: .f32)
        let w = weight.isContiguous ? weight : weight.hostContiguous()
        let out = Tensor(zeros: [g.images, g.outChannels, g.outHeight, g.outWidth], dtype: .f32)
        var chosen = algorithm ?? ConvAlgorithm.choice(for: g)
        if !ConvAlgorithm.winogradApplies(g) { chosen = .direct }
        withExtendedLifetime((input, w, b)) {
            let xp = input.pointer(as: Float.self)
            let bp = b?.pointer(as: Float.self), op = out.pointer(as: Float.self)
            let weightMatrix = GEMMOperand(w, rowStride: g.depth, columnStride: 1)
            let direct = {
                switch weightMatrix {
                case .f32(let a): ConvKernel.run(g, x: xp, weight: a, bias: bp, out: op)
                case .half(let a): ConvKernel.run(g, x: xp, weight: a, bias: bp, out: op)
                }
            }
            switch chosen {
            case .direct:
                direct()
            case .winogradF2, .winogradF4:
                // The automatic F(2×2) pays off only with its transformed weights cached (`ConvAlgorithm.automatic`).
                // Only f32 weights are cached: f16 / bf16 weights are held to save memory (`--precision`), and
                // a cached f32 transform of them would spend it (measured: +0.28 GiB on the f16 SD 1.5 pipeline),
                // so they run direct there. F(4×4) transforms the weight per call for every dtype, reading a
                // 16-bit weight through conversion.
                let cachedOnly = chosen == .winogradF2 && algorithm == nil && ConvAlgorithm.environmentChoice == nil
                if !WinogradConv.run(g, variant: chosen == .winogradF4 ? .f4 : .f2, x: xp, weight: weightMatrix,
                                     weightTensor: w.dtype == .f32 ? w : nil, cachedWeightsOnly: cachedOnly,
                                     bias: bp, out: op) {
                    direct()
                }
            }
        }
        return x.dtype == .f32 ? out : out.hostConverted(to: x.dtype)
    }
}

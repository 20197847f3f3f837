import CDiffuseKernels
import DiffuseCore

/// The bf16 convolution of `--precision bf16` (`BF16GEMMBackend.conv2d`): f32 activation, bf16 weight,
/// f32 result, on the AVX512-BF16 kernel (`BF16ConvKernel`).
public enum BF16Convolution {
    /// conv2d(x, weight) + bias: x [N, Cin, H, W] f32, weight [Cout, Cin, kh, kw] bf16, bias [Cout] (any float
    /// dtype, used in f32) → [N, Cout, Hout, Wout] f32. The input is rounded to bf16 (nearest even) while its
    /// im2col panels are packed; the weight is packed once per weight tensor (`cache`; nil packs per call);
    /// products are accumulated in f32 and the bias is added in f32. Call only when `GEMM.bf16Available`.
    public static func run(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int,
                              cache: BF16WeightCache? = .shared, threads: Int? = nil) -> Tensor {
        require(GEMM.bf16Available, "BF16Convolution: this CPU has no AVX512-BF16; use the f32 convolution")
        let g = ConvGeometry(validating: x, weight: weight, bias: bias, stride: stride, padding: padding)
        require(x.dtype == .f32 && weight.dtype == .bf16,
                "BF16Convolution: needs an f32 input and a bf16 weight, got \(x.dtype) and \(weight.dtype)")
        let depth = g.depth
        // A: weight rows [Cout, Cin·kh·kw], k-contiguous.
        let packed = GEMM.packedWeight(weight, role: "A-conv", lines: g.outChannels, depth: depth,
                                       kc: GEMM.bf16Blocking.kc, cache: cache) { w in
            BF16StridedSource(base: w, lineStride: depth, depthStride: 1, width: Int(DIFFUSE_BF16_MR))
        }
        let input = x.hostContiguous(), b = bias?.hostConverted(to: .f32).hostContiguous()
        let out = Tensor(uninitialized: [g.images, g.outChannels, g.outHeight, g.outWidth], dtype: .f32)
        withExtendedLifetime((input, b)) {
            BF16ConvKernel.run(g, x: input.pointer(as: Float.self), weight: packed, bias: b?.pointer(as: Float.self),
                               out: out.pointer(as: Float.self), threads: threads ?? Parallel.threadCount)
        }
        return out
    }
}

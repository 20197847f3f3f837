import DiffuseCore

extension ConvGeometry {
    /// The geometry of conv2d(x, weight, bias) after checking the operands (one-line errors naming the
    /// shapes): x [N, Cin, H, W], weight [Cout, Cin, kh, kw], bias [Cout] or nil, stride ≥ 1, padding ≥ 0,
    /// kernel no larger than the padded input. Shared by the f32 and bf16 convolutions.
    init(validating x: Tensor, weight: Tensor, bias: Tensor?, stride: Int, padding: Int) {
        let shapes = "x \(x.shape), weight \(weight.shape)" + (bias.map { ", bias \($0.shape)" } ?? "")
        require(x.rank == 4 && weight.rank == 4, "conv2d: x and weight must be 4-D (NCHW, OIHW); \(shapes)")
        require(x.shape[1] == weight.shape[1],
                "conv2d: x has \(x.shape[1]) channels, weight expects \(weight.shape[1]); \(shapes)")
        require(stride >= 1 && padding >= 0, "conv2d: stride \(stride) must be ≥ 1, padding \(padding) ≥ 0")
        if let bias {
            require(bias.count == weight.shape[0] && bias.rank == 1,
                    "conv2d: bias must be [\(weight.shape[0])]; \(shapes)")
        }
        self.init(images: x.shape[0], inChannels: x.shape[1], height: x.shape[2], width: x.shape[3],
                  outChannels: weight.shape[0], kernelHeight: weight.shape[2], kernelWidth: weight.shape[3],
                  stride: stride, padding: padding)
        require(height + 2 * padding >= kernelHeight && width + 2 * padding >= kernelWidth,
                "conv2d: kernel \(kernelHeight)×\(kernelWidth) larger than the padded input; \(shapes)")
    }
}

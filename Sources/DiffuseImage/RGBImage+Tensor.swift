import DiffuseCore

extension RGBImage {
    /// diffusers' `VaeImageProcessor.postprocess(output_type="pil")` for one image: `x` is `[3, H, W]` or
    /// `[1, 3, H, W]` in [-1, 1] of any float dtype.
    ///
    /// `(x / 2 + 0.5).clamp(0, 1)` runs in the tensor's own dtype (as torch does before `.float()`; for
    /// f16/bf16 each step is rounded back to that dtype), then `× 255` in f32 and numpy's round
    /// (half to even) to UInt8. NaN becomes 0.
    public init(tensor x: Tensor) {
        let shape = x.shape
        require(x.dtype.isFloatingPoint, "RGBImage(tensor:): expected a float tensor, got \(x.dtype)")
        require((shape.count == 3 && shape[0] == 3) || (shape.count == 4 && shape[0] == 1 && shape[1] == 3),
                "RGBImage(tensor:): expected [3, H, W] or [1, 3, H, W], got \(shape)")
        let height = shape[shape.count - 2], width = shape[shape.count - 1]
        let values = x.floats()
        let plane = width * height
        let toDType: (Float) -> Float
        switch x.dtype {
        case .f16: toDType = { Float(Float16($0)) }
        case .bf16: toDType = { BFloat16.float(fromBits: BFloat16.bits(from: $0)) }
        default: toDType = { $0 }
        }
        var pixels = [UInt8](repeating: 0, count: plane * 3)
        for c in 0..<3 {
            for i in 0..<plane {
                var v = toDType(toDType(values[c * plane + i] / 2) + 0.5)
                v = v.isNaN ? 0 : min(max(v, 0), 1)
                pixels[i * 3 + c] = UInt8((v * 255).rounded(.toNearestOrEven))
            }
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    /// diffusers' `VaeImageProcessor.preprocess` of an RGB PIL image without resizing: `[1, 3, H, W]` f32,
    /// `2 · (p / 255) − 1` computed in f32 as numpy does.
    public func tensor() -> Tensor { planes { 2 * $0 - 1 } }

    /// A ControlNet's control image as diffusers' `control_image_processor` makes it
    /// (`VaeImageProcessor(do_normalize=False)` without resizing): `[1, 3, H, W]` f32, `p / 255`.
    public func controlTensor() -> Tensor { planes { $0 } }

    /// `[1, 3, H, W]` f32 of `transform(p / 255)` per channel value.
    private func planes(_ transform: (Float) -> Float) -> Tensor {
        let plane = width * height
        var values = [Float](repeating: 0, count: plane * 3)
        for i in 0..<plane {
            for c in 0..<3 {
                values[c * plane + i] = transform(Float(pixels[i * 3 + c]) / 255)
            }
        }
        return Tensor(values, shape: [1, 3, height, width])
    }
}

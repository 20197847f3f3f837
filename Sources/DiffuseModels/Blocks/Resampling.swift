import DiffuseCore
import DiffuseNN

/// diffusers `Downsample2D` (models/downsampling.py) with `use_conv=True`: a 3×3 stride-2 convolution
/// `conv`. With `padding: 0` (the VAE encoder) the input is first padded by one zero row and column at
/// the bottom and right, as diffusers does with `F.pad(x, (0, 1, 0, 1))`.
public struct Downsample2D: Sendable {
    let conv: Conv2d
    let padding: Int
    let backend: any Backend

    public init(_ scope: WeightScope, channels: Int, outChannels: Int? = nil, padding: Int = 1) {
        backend = scope.backend
        conv = Conv2d(scope["conv"], inChannels: channels, outChannels: outChannels ?? channels, kernel: 3,
                      stride: 2, padding: padding)
        self.padding = padding
    }

    /// x: [N, C, H, W] → [N, Cout, H/2, W/2].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv(padding == 0 ? backend.pad2D(x, left: 0, right: 1, top: 0, bottom: 1) : x)
    }
}

/// diffusers `Upsample2D` (models/upsampling.py) with `use_conv=True`: nearest 2× (or nearest to an
/// explicit `outputSize`, diffusers' `output_size`) then a 3×3 `conv`.
public struct Upsample2D: Sendable {
    let conv: Conv2d
    let backend: any Backend

    public init(_ scope: WeightScope, channels: Int, outChannels: Int? = nil) {
        conv = Conv2d(scope["conv"], inChannels: channels, outChannels: outChannels ?? channels, kernel: 3, padding: 1)
        backend = scope.backend
    }

    /// x: [N, C, H, W] → [N, Cout, 2H, 2W], or [N, Cout, outputSize] when given
    /// (`F.interpolate(size=output_size, mode="nearest")`: the UNet passes its skip connection's size when
    /// the latent size is not a multiple of 2^levels, so that odd sizes halved on the way down come back).
    public func callAsFunction(_ x: Tensor, outputSize: (height: Int, width: Int)? = nil) -> Tensor {
        guard let outputSize else { return conv(backend.upsampleNearest2x(x)) }
        return conv(backend.upsampleNearest(x, height: outputSize.height, width: outputSize.width))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import DiffuseCore

/// Inpainting masks: white (255) = repaint, black = keep, grey in between.
extension RGBImage {
    /// Pillow's `convert("L")`: ITU-R 601-2 luma in 16-bit fixed point,
    /// `(R·19595 + G·38470 + B·7471 + 0x8000) >> 16` (libImaging/Convert.c), one byte per pixel.
    public func luma() -> [UInt8] {
        (0..<(width * height)).map { i in
            let r = UInt32(pixels[i * 3]), g = UInt32(pixels[i * 3 + 1]), b = UInt32(pixels[i * 3 + 2])
            return UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
        }
    }

    /// The mask as diffusers' `mask_processor` gives it before binarizing: luma / 255, [1, 1, H, W] f32
    /// (the pipeline binarizes at 0.5, `VaeImageProcessor.binarize`).
    public func maskTensor() -> Tensor {
        Tensor(luma().map { Float($0) / 255 }, shape: [1, 1, height, width])
    }

    /// A1111's `--mask-blur` (processing.py): the mask's luma blurred by a Gaussian of standard deviation
    /// `radius` pixels, horizontally then vertically, each with OpenCV's `GaussianBlur` kernel of
    /// 2·⌊2.5·radius + 0.5⌋ + 1 taps and mirrored borders (`BORDER_REFLECT_101`); grey RGB out. Within one
    /// level of OpenCV's fixed-point result.
    public func maskBlurred(radius: Double) -> RGBImage {
        guard radius > 0, width > 0, height > 0 else { return self }
        let half = Int(2.5 * radius + 0.5), size = 2 * half + 1
        var kernel = (0..<size).map { i -> Double in
            let x = Double(i - half)
            return exp(-x * x / (2 * radius * radius))
        }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        func reflect(_ i: Int, _ n: Int) -> Int {
            if n == 1 { return 0 }
            var i = i
            while i < 0 || i >= n { i = i < 0 ? -i : 2 * (n - 1) - i }
            return i
        }
        func pass(_ src: [UInt8], horizontal: Bool) -> [UInt8] {
            var out = src
            for y in 0..<height {
                for x in 0..<width {
                    var s = 0.0
                    for (k, weight) in kernel.enumerated() {
                        let (sx, sy) = horizontal ? (reflect(x + k - half, width), y) : (x, reflect(y + k - half, height))
                        s += Double(src[sy * width + sx]) * weight
                    }
                    out[y * width + x] = UInt8(min(max(s.rounded(), 0), 255))
                }
            }
            return out
        }
        let blurred = pass(pass(luma(), horizontal: true), horizontal: false)
        return RGBImage(width: width, height: height, pixels: blurred.flatMap { [$0, $0, $0] })
    }

    /// A1111's overlay (`--keep-unmasked`; diffusers' `VaeImageProcessor.apply_overlay`): `original`'s
    /// pixels pasted back over this generated image where the mask keeps them, blended by the mask's luma m:
    /// out = generated · m/255 + original · (1 − m/255), rounded. The three must have one size. Within one
    /// level of Pillow's premultiplied-alpha composite.
    public func overlaying(original: RGBImage, mask: RGBImage) -> RGBImage {
        require(original.width == width && original.height == height && mask.width == width && mask.height == height,
                "overlaying: the image (\(width)×\(height)), original (\(original.width)×\(original.height)) and mask (\(mask.width)×\(mask.height)) must have one size")
        let m = mask.luma()
        var out = pixels
        for i in 0..<(width * height) {
            let a = Float(m[i]) / 255
            for c in 0..<3 {
                let v = Float(pixels[i * 3 + c]) * a + Float(original.pixels[i * 3 + c]) * (1 - a)
                out[i * 3 + c] = UInt8(min(max(v.rounded(), 0), 255))
            }
        }
        return RGBImage(width: width, height: height, pixels: out)
    }
}

/// How a picture is brought to another size (A1111's three modes; diffusers' `VaeImageProcessor.resize`
/// `resize_mode`, image_processor.py).
public enum ResizeMode: String, Sendable, CaseIterable {
    /// A1111's "Just resize", diffusers' "default": stretched to the size (the aspect ratio may change).
    case stretch
    /// "Crop and resize" (diffusers "crop"): scaled to cover the size, keeping the aspect ratio, centred,
    /// the excess cut off.
    case crop
    /// "Resize and fill" (diffusers "fill"): scaled to fit inside the size, keeping the aspect ratio,
    /// centred; the empty bands are filled by stretching the picture's first and last rows (or columns).
    case fill
}

extension RGBImage {
    /// diffusers' `VaeImageProcessor.resize(image, height, width, resize_mode)` of a PIL image: Pillow's
    /// Lanczos (`PILResample`), and for `.crop` / `.fill` `_resize_and_crop` / `_resize_and_fill` (the
    /// fill bands with Pillow's default `resize` filter, bicubic, from a zero-width box at the edge).
    public func resized(width outWidth: Int, height outHeight: Int, mode: ResizeMode = .stretch) -> RGBImage {
        let ratio = Double(outWidth) / Double(outHeight), sourceRatio = Double(width) / Double(height)
        switch mode {
        case .stretch:
            return resampled(width: outWidth, height: outHeight)
        case .crop:
            let w = ratio > sourceRatio ? outWidth : width * outHeight / height
            let h = ratio <= sourceRatio ? outHeight : height * outWidth / width
            var canvas = RGBImage(width: outWidth, height: outHeight, pixels: [UInt8](repeating: 0, count: outWidth * outHeight * 3))
            canvas.paste(resampled(width: w, height: h), x: outWidth / 2 - w / 2, y: outHeight / 2 - h / 2)
            return canvas
        case .fill:
            let w = ratio < sourceRatio ? outWidth : width * outHeight / height
            let h = ratio >= sourceRatio ? outHeight : height * outWidth / width
            let inner = resampled(width: w, height: h)
            var canvas = RGBImage(width: outWidth, height: outHeight, pixels: [UInt8](repeating: 0, count: outWidth * outHeight * 3))
            canvas.paste(inner, x: outWidth / 2 - w / 2, y: outHeight / 2 - h / 2)
            if ratio < sourceRatio {
                let band = outHeight / 2 - h / 2
                if band > 0 {
                    let iw = Double(inner.width), ih = Double(inner.height)
                    canvas.paste(inner.resampled(width: outWidth, height: band, filter: .bicubic, box: (0, 0, iw, 0)), x: 0, y: 0)
                    canvas.paste(inner.resampled(width: outWidth, height: band, filter: .bicubic, box: (0, ih, iw, ih)),
                                 x: 0, y: band + h)
                }
            } else if ratio > sourceRatio {
                let band = outWidth / 2 - w / 2
                if band > 0 {
                    let iw = Double(inner.width), ih = Double(inner.height)
                    canvas.paste(inner.resampled(width: band, height: outHeight, filter: .bicubic, box: (0, 0, 0, ih)), x: 0, y: 0)
                    canvas.paste(inner.resampled(width: band, height: outHeight, filter: .bicubic, box: (iw, 0, iw, ih)),
                                 x: band + w, y: 0)
                }
            }
            return canvas
        }
    }

    /// Pillow's `paste(image, box=(x, y))`: copies `image` with its top-left corner at (x, y); what falls
    /// outside is cut off.
    public mutating func paste(_ image: RGBImage, x: Int, y: Int) {
        for sy in 0..<image.height {
            let ty = y + sy
            guard ty >= 0, ty < height else { continue }
            for sx in 0..<image.width {
                let tx = x + sx
                guard tx >= 0, tx < width else { continue }
                for c in 0..<3 { pixels[(ty * width + tx) * 3 + c] = image.pixels[(sy * image.width + sx) * 3 + c] }
            }
        }
    }

    /// The size an init image is brought to: `width` / `height` when given, else the picture's own side
    /// rounded down to a multiple of `multiple` (diffusers' `get_default_height_width`, whose multiple is
    /// the VAE factor; Diffuse's is that or 8, whichever is larger). nil when a side would be 0.
    public func targetSize(width w: Int?, height h: Int?, multiple: Int) -> (width: Int, height: Int)? {
        let size = (width: w ?? width / multiple * multiple, height: h ?? height / multiple * multiple)
        return size.width > 0 && size.height > 0 ? size : nil
    }
}

/// An init image and its inpainting mask brought to the output size, as `diffuse generate` and
/// `diffuse serve` prepare them (diffusers' `VaeImageProcessor.resize` / A1111's img2img): the picture
/// resized in `mode` (Pillow's Lanczos), the mask blurred first (A1111's mask blur, in the picture's
/// pixels) and resized the same way; after generation `overlay` pastes the kept pixels back (A1111's overlay).
public struct InitImages: Sendable {
    /// The init image at the output size.
    public let image: RGBImage
    /// The (blurred) mask at the output size: white = repaint; nil for image-to-image.
    public let mask: RGBImage?

    public init(picture: RGBImage, mask: RGBImage?, width: Int, height: Int, mode: ResizeMode, maskBlur: Double = 0) {
        image = picture.resized(width: width, height: height, mode: mode)
        let blurred = maskBlur > 0 ? mask?.maskBlurred(radius: maskBlur) : mask
        self.mask = blurred?.resized(width: width, height: height, mode: mode)
    }

    /// `outputs` with the init image's pixels pasted back where the mask keeps them (`overlaying`);
    /// unchanged without a mask.
    public func overlay(_ outputs: [RGBImage]) -> [RGBImage] {
        guard let mask else { return outputs }
        return outputs.map { $0.overlaying(original: image, mask: mask) }
    }
}

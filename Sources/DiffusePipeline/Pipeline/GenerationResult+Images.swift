import DiffuseCore
import DiffuseImage

extension GenerationResult {
    /// The images as 8-bit RGB, in batch order, rounded as diffusers' `numpy_to_pil` does
    /// (`RGBImage(tensor:)`).
    public var rgbImages: [RGBImage] {
        (0..<images.size(0)).map { RGBImage(tensor: images.sliced(dim: 0, $0..<($0 + 1))) }
    }
}

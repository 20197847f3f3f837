import Testing
import DiffuseCore
import DiffuseImage
import DiffuseTestSupport

/// Resizing and masks against Pillow 13 / diffusers' `VaeImageProcessor` / OpenCV
/// (Fixtures/inpaint/resize.safetensors, Scripts/fixtures/inpaint.py).
@Suite struct ResizeTests {
    static let file = Result { try SafeTensorsFile(path: FixturePaths.path("inpaint/resize.safetensors")) }

    /// uint8 values stored as i32, [H, W, 3] or [H, W].
    static func bytes(_ name: String) throws -> (shape: [Int], values: [UInt8]) {
        let t = try file.get().tensor(name).hostContiguous()
        return (t.shape, (0..<t.count).map { UInt8(t.scalar(atFlat: $0)) })
    }

    static func image(_ name: String) throws -> RGBImage {
        let (shape, values) = try bytes(name)
        return RGBImage(width: shape[1], height: shape[0], pixels: values)
    }

    static let source = Result { try image("source") }

    /// Pillow's LANCZOS, bit-exact: down (both axes), up, one axis only, 8×8, and three shapes whose height
    /// shrinks more than twice as much as the width (Pillow 13 resizes those vertically first).
    @Test(arguments: [(16, 10), (50, 40), (37, 12), (20, 23), (8, 8), (30, 8), (34, 12), (45, 9)])
    func lanczosMatchesPillow(_ size: (Int, Int)) throws {
        let out = try Self.source.get().resampled(width: size.0, height: size.1)
        #expect(out == (try Self.image("lanczos.\(size.0)x\(size.1)")))
    }

    /// Pillow's default filter (bicubic) from the zero-width edge boxes `_resize_and_fill` uses, bit-exact.
    @Test func bicubicEdgeBoxesMatchPillow() throws {
        let s = try Self.source.get()
        #expect(s.resampled(width: 24, height: 5, filter: .bicubic, box: (0, 0, 24, 0)) == (try Self.image("bicubic.24x5.top")))
        #expect(s.resampled(width: 24, height: 5, filter: .bicubic, box: (0, 23, 24, 23)) == (try Self.image("bicubic.24x5.bottom")))
        #expect(s.resampled(width: 6, height: 23, filter: .bicubic, box: (0, 0, 0, 23)) == (try Self.image("bicubic.6x23.left")))
        #expect(s.resampled(width: 6, height: 23, filter: .bicubic, box: (37, 0, 37, 23)) == (try Self.image("bicubic.6x23.right")))
    }

    /// `VaeImageProcessor.resize` in its three modes (stretch = "default"), wider, taller, square and
    /// larger than the 37×23 source, bit-exact (40×16 stretched: Pillow 13 runs the vertical pass first).
    @Test(arguments: [ResizeMode.stretch, .crop, .fill])
    func modesMatchVaeImageProcessor(_ mode: ResizeMode) throws {
        let name = mode == .stretch ? "default" : mode.rawValue
        for (w, h) in [(24, 24), (40, 16), (16, 40), (64, 48)] {
            let out = try Self.source.get().resized(width: w, height: h, mode: mode)
            let expected = try Self.image("mode.\(name).\(w)x\(h)")
            #expect(out == expected, "\(name) \(w)x\(h)")
        }
    }

    /// Pillow's `convert("L")`, bit-exact.
    @Test func lumaMatchesPillow() throws {
        #expect(try Self.source.get().luma() == (try Self.bytes("gray")).values)
    }

    /// The inpainting pipeline's `mask_processor.preprocess` (resize, L, / 255, binarize): `maskTensor`
    /// of the resized picture, binarized at 0.5 as the pipeline does, gives the same 0/1 values.
    @Test func maskProcessorMatchesDiffusers() throws {
        for (w, h) in [(32, 16), (16, 24)] {
            let mask = try Self.source.get().resized(width: w, height: h).maskTensor()
            #expect(mask.shape == [1, 1, h, w])
            let expected = try Self.file.get().tensor("mask.\(w)x\(h)").floats()
            #expect(mask.floats().map { $0 >= 0.5 ? Float(1) : 0 } == expected)
        }
    }

    /// A1111's `--mask-blur` (OpenCV's GaussianBlur across then down): within one level of OpenCV, whose
    /// 8-bit path rounds its kernel and sums to fixed point while Diffuse sums in double.
    @Test(arguments: [2.0, 4.5])
    func maskBlurMatchesOpenCV(_ radius: Double) throws {
        let (shape, source) = try Self.bytes("blur.source")
        let mask = RGBImage(width: shape[1], height: shape[0], pixels: source.flatMap { [$0, $0, $0] })
        let blurred = mask.maskBlurred(radius: radius).luma()
        let expected = try Self.bytes(radius == 2 ? "blur.2" : "blur.4.5").values
        let worst = zip(blurred, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 1, "blur \(radius): differs by up to \(worst)")
        #expect(blurred != source)
    }
}

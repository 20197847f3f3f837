import Testing
import DiffuseCore
@testable import DiffuseImage

@Suite struct RGBImageTensorTests {
    /// Inputs chosen to land on .5 boundaries of ×255 and outside [-1, 1]; laid out as [1, 3, 1, 8].
    static let inputs: [Float] = [
        -1.0, 1.0, 0.0, -1.5, 2.0, 9.99999993922529e-09, -0.996078372001648, 0.003921499941498041,
        0.5, -0.5, 0.25, 0.3333300054073334, -0.699999988079071, 0.9900000095367432, -0.9900000095367432,
        -0.9960784316062927, -0.9882352948188782, -0.9803921580314636, -0.21176470816135406,
        -0.20392157137393951, 0.0019607841968536377, -0.0019607841968536377, 0.0, 0.0,
    ]
    /// `VaeImageProcessor().postprocess(x.to(dtype), output_type="pil")[0]` as interleaved RGB bytes.
    static let expected: [DType: [UInt8]] = [
        .f32: [0, 191, 1, 255, 64, 2, 128, 159, 100, 0, 170, 102, 255, 38, 128, 128, 254, 127, 1, 1, 128, 128, 0, 128],
        .f16: [0, 191, 1, 255, 64, 2, 128, 159, 100, 0, 170, 101, 255, 38, 128, 128, 254, 127, 0, 1, 128, 128, 0, 128],
        .bf16: [0, 191, 1, 255, 64, 2, 128, 159, 101, 0, 170, 102, 255, 38, 128, 128, 253, 127, 0, 1, 128, 128, 0, 128],
    ]

    @Test(arguments: [DType.f32, .f16, .bf16])
    func postprocessMatchesDiffusers(dtype: DType) {
        let x = Tensor(Self.inputs, shape: [1, 3, 1, 8]).hostConverted(to: dtype)
        let image = RGBImage(tensor: x)
        #expect(image.width == 8 && image.height == 1)
        #expect(image.pixels == Self.expected[dtype]!)
        // [3, H, W] gives the same.
        #expect(RGBImage(tensor: x.reshaped([3, 1, 8])).pixels == Self.expected[dtype]!)
    }

    @Test func postprocessLayoutIsCHWToInterleaved() {
        // Channel planes 0, 1, 2 → R, G, B of each pixel, rows top to bottom.
        let x = Tensor([-1, 1, -1, 1, 1, 1, -1, -1, 0, 0, 0, 0], shape: [3, 2, 2])
        #expect(RGBImage(tensor: x).pixels == [0, 255, 128, 255, 255, 128, 0, 0, 128, 255, 0, 128])
    }

    @Test func preprocessMatchesDiffusersBitForBit() {
        var pixels: [UInt8] = []
        for v in 0..<256 { pixels += [UInt8(v), UInt8(255 - v), 7] }
        let image = RGBImage(width: 256, height: 1, pixels: pixels)
        let t = image.tensor()
        #expect(t.shape == [1, 3, 1, 256] && t.dtype == .f32)
        let values = t.floats()
        #expect(values[0..<256].map(\.bitPattern) == ImageTestSupport.preprocessBits)
        #expect(values[256..<512].map(\.bitPattern) == ImageTestSupport.preprocessBits.reversed())
        #expect(values[512..<768].allSatisfy { $0.bitPattern == ImageTestSupport.preprocessBits[7] })
    }

    @Test func imageToTensorToImageIsLossless() {
        let image = ImageTestSupport.pattern(width: 7, height: 5)
        #expect(RGBImage(tensor: image.tensor()) == image)
        #expect(RGBImage(tensor: image.tensor().hostConverted(to: .f16)) == image)
    }
}

import Testing
import DiffuseImage

@Suite struct RGBImageTests {
    @Test func holdsInterleavedRGB() {
        let image = RGBImage(width: 2, height: 1, pixels: [255, 0, 0, 0, 0, 255])
        #expect(image.pixels.count == 6)
    }
}

import DiffuseTestSupport
import Testing
@testable import DiffuseImage

/// EXIF orientation 1…8 against `ImageOps.exif_transpose(Image.open(f)).convert("RGB")`.
@Suite struct OrientationTests {
    static let names = ImageFixtures.all.keys.filter { $0.hasPrefix("exif") }.sorted()

    @Test(arguments: names)
    func uprightLikeExifTranspose(name: String) throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder) }
        let fixture = ImageFixtures.all[name]!
        let bytes = ImageTestSupport.base64(fixture.file)
        let expectedOrientation = Int(String(name.last!))!
        #expect(RGBImage.exifOrientation(data: bytes) == expectedOrientation)
        ImageTestSupport.writeFile(bytes, to: folder + "/f")
        let image = try RGBImage(contentsOf: folder + "/f", applyingOrientation: true)
        #expect(image.width == fixture.width && image.height == fixture.height)
        #expect(image.pixels == ImageTestSupport.base64(fixture.rgb))
        // Without applying, the stored pixels come back (6 × 4 as saved).
        let stored = try RGBImage(contentsOf: folder + "/f")
        #expect(stored.width == 6 && stored.height == 4)
    }

    @Test func noOrientationInPlainFiles() {
        #expect(RGBImage.exifOrientation(data: ImageTestSupport.base64(ImageFixtures.all["jpegBaseline420"]!.file)) == nil)
        #expect(RGBImage.exifOrientation(data: ImageTestSupport.base64(ImageFixtures.all["rgb8"]!.file)) == nil)
        #expect(RGBImage.exifOrientation(data: [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF]) == nil)
        #expect(RGBImage.exifOrientation(data: []) == nil)
    }

    @Test func damagedExifNeverCrashes() {
        let good = ImageTestSupport.base64(ImageFixtures.all["exifJPEG6"]!.file)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bad = good
            for _ in 0..<3 { bad[Int.random(in: 2..<min(120, bad.count), using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            let o = RGBImage.exifOrientation(data: Array(bad.prefix(Int.random(in: 0...bad.count, using: &generator))))
            #expect(o == nil || (1...8).contains(o!))
        }
    }
}

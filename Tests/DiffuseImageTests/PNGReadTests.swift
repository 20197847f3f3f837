import DiffuseTestSupport
import Testing
@testable import DiffuseImage

/// Every kind of PNG decodes to Pillow's `convert("RGB")` pixels exactly (fixtures in ImageFixtures.swift).
@Suite struct PNGReadTests {
    static let pngNames = ImageFixtures.all.keys.filter { !$0.hasPrefix("jpeg") && !$0.hasPrefix("exif") }.sorted()

    @Test(arguments: pngNames)
    func decodesLikePillow(name: String) throws {
        let fixture = ImageFixtures.all[name]!
        let image = try RGBImage(data: ImageTestSupport.base64(fixture.file), source: name)
        #expect(image.width == fixture.width && image.height == fixture.height)
        let expected = ImageTestSupport.base64(fixture.rgb)
        #expect(image.pixels == expected, "\(name): \(zip(image.pixels, expected).filter { $0 != $1 }.count) bytes differ")
    }

    @Test func readsByContentNotExtension() throws {
        let folder = ImageTestSupport.makeFolder()
        defer { ImageTestSupport.removeFolder(folder) }
        let png = ImageTestSupport.base64(ImageFixtures.all["rgb8"]!.file)
        let jpeg = ImageTestSupport.base64(ImageFixtures.all["jpegBaseline444"]!.file)
        ImageTestSupport.writeFile(png, to: folder + "/really-a-png.jpg")
        ImageTestSupport.writeFile(jpeg, to: folder + "/really-a-jpeg.png")
        #expect(try RGBImage(contentsOf: folder + "/really-a-png.jpg").width == 9)
        #expect(try RGBImage(contentsOf: folder + "/really-a-jpeg.png").width == 24)
    }
}

import DiffuseTestSupport
import Testing
@testable import DiffuseImage

/// JPEGs made by Pillow decode to Pillow's pixels. Pillow's wheel bundles its own libjpeg-turbo, we link
/// the system one (2.1.5 here); both use the integer ISLOW IDCT and fancy upsampling, which are exact
/// integer algorithms, so the pixels are expected to be identical. A difference of ±1 level is allowed
/// (SIMD and C paths of other libjpeg builds may round upsampling differently). With Debian's
/// libjpeg-turbo 2.1.5 against Pillow 13's bundled one every fixture matched exactly (difference 0),
/// EXIF fixtures in OrientationTests included (those compare exactly).
@Suite struct JPEGReadTests {
    static let names = ImageFixtures.all.keys.filter { $0.hasPrefix("jpeg") }.sorted()

    @Test(arguments: names)
    func decodesLikePillow(name: String) throws {
        let fixture = ImageFixtures.all[name]!
        let image = try RGBImage(data: ImageTestSupport.base64(fixture.file), source: name)
        #expect(image.width == fixture.width && image.height == fixture.height)
        let expected = ImageTestSupport.base64(fixture.rgb)
        let worst = zip(image.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 1, "\(name): largest difference \(worst)")
    }

    @Test func manyCorruptJPEGsInARowNeitherCrashNorLeak() throws {
        // Each failure ends a decoding thread; a few hundred in a row must all come back as errors.
        let good = ImageTestSupport.base64(ImageFixtures.all["jpegBaseline420"]!.file)
        for i in 0..<300 {
            var bad = good
            bad[20 + i % 100] ^= 0xFF  // somewhere in the headers
            _ = try? RGBImage(data: bad, source: "j\(i)")
        }
        #expect(try RGBImage(data: good, source: "good").width == 24)
    }
}

extension JPEGReadTests {
    @Test func concurrentDecodesOfGoodAndBrokenFilesStayIndependent() async throws {
        let good = ImageTestSupport.base64(ImageFixtures.all["jpegProgressive"]!.file)
        let expected = try RGBImage(data: good, source: "good")
        let broken = [0xFF, 0xD8, 0xFF] + Array(good[3..<(good.count / 2)]) + [UInt8](repeating: 0x55, count: 64)
        let results = await withTaskGroup(of: (Bool, Bool).self) { group in
            for i in 0..<64 {
                group.addTask {
                    let isGood = i % 2 == 0
                    let image = try? RGBImage(data: isGood ? good : broken, source: "f\(i)")
                    return (isGood, image == expected)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0.0 == $0.1 })
    }
}

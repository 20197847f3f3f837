import Testing
import DiffuseCore
import DiffuseImage
import DiffuseTestSupport

/// The ControlNet "canny" preprocessor against OpenCV's `cv2.Canny`
/// (Fixtures/canny/cases.safetensors, Scripts/fixtures/canny.py).
@Suite struct CannyEdgeTests {
    static let file = Result { try SafeTensorsFile(path: FixturePaths.path("canny/cases.safetensors")) }

    /// uint8 values stored as i32, [H, W, 3] or [H, W].
    static func bytes(_ name: String) throws -> (shape: [Int], values: [UInt8]) {
        let t = try file.get().tensor(name).hostContiguous()
        return (t.shape, (0..<t.count).map { UInt8(t.scalar(atFlat: $0)) })
    }

    static func pictures() throws -> [String] {
        try file.get().metadata["pictures", default: ""].split(separator: " ").map(String.init)
    }

    /// The threshold pairs as written ("99.5", "-10.5"), which the keys repeat.
    static func thresholds() throws -> [(low: String, high: String)] {
        try file.get().metadata["thresholds", default: ""].split(separator: " ").map { pair in
            let parts = pair.split(separator: ":").map(String.init)
            return (parts[0], parts[1])
        }
    }

    /// Every picture × every threshold pair equals OpenCV pixel for pixel, in all three channels.
    @Test func matchesOpenCV() throws {
        let pictures = try Self.pictures(), thresholds = try Self.thresholds()
        #expect(pictures.count >= 7 && thresholds.count >= 8)
        for picture in pictures {
            let (shape, source) = try Self.bytes("\(picture).source")
            let image = RGBImage(width: shape[1], height: shape[0], pixels: source)
            for (low, high) in thresholds {
                let edges = image.cannyEdges(low: Double(low)!, high: Double(high)!)
                let expected = try Self.bytes("\(picture).canny.\(low)-\(high)").values
                let got = stride(from: 0, to: edges.pixels.count, by: 3).map { edges.pixels[$0] }
                #expect(edges.width == image.width && edges.height == image.height && got.count == expected.count)
                let differing = got.indices.filter { got[$0] != expected[$0] }
                let first = differing.first.map { " (first at x \($0 % image.width), y \($0 / image.width))" } ?? ""
                #expect(differing.isEmpty, "\(picture) \(low)-\(high): \(differing.count) of \(expected.count) pixels differ\(first)")
            }
        }
    }

    /// The output is black and white, and its three channels are one.
    @Test func threeIdenticalChannelsOfBlackAndWhite() throws {
        let (shape, source) = try Self.bytes("shapes.source")
        let edges = RGBImage(width: shape[1], height: shape[0], pixels: source).cannyEdges()
        #expect(edges.pixels.allSatisfy { $0 == 0 || $0 == 255 })
        for i in stride(from: 0, to: edges.pixels.count, by: 3) {
            #expect(edges.pixels[i] == edges.pixels[i + 1] && edges.pixels[i] == edges.pixels[i + 2])
        }
        #expect(edges.pixels.contains(255) && edges.pixels.contains(0))
    }

    /// Pictures of 1×1, 2×2 and 0×0 pixels do not crash; 1×1 has no edge at all (its gradient is 0), 2×2
    /// gives what `cv2.Canny` gives (top right only, at 0/0 and 100/200).
    @Test func tinyPictures() {
        let one = RGBImage(width: 1, height: 1, pixels: [200, 10, 30]).cannyEdges(low: 0, high: 0)
        #expect(one.pixels == [0, 0, 0])
        let two = RGBImage(width: 2, height: 2, pixels: [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0])
        let topRight: [UInt8] = [0, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0]
        #expect(two.cannyEdges().pixels == topRight)
        #expect(two.cannyEdges(low: 0, high: 0).pixels == topRight)
        #expect(RGBImage(width: 0, height: 0, pixels: []).cannyEdges().pixels.isEmpty)
    }
}

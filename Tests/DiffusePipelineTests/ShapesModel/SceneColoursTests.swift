import DiffuseImage
import Testing
import DiffusePipeline

/// The pixel rule of the shapes test on drawn images whose answer is known.
struct SceneColoursTests {
    /// A `side`×`side` image of `background` with a disc of `foreground` (radius `radius`) at (cx, cy),
    /// each pixel shifted by up to ±`noise` levels (deterministic), as VAE output is never exactly flat.
    static func disc(_ foreground: NamedColour, on background: NamedColour, radius: Int, cx: Int = 32, cy: Int = 32,
                     side: Int = 64, noise: Int = 12) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0..<side {
            for x in 0..<side {
                let inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius
                let (r, g, b) = (inside ? foreground : background).rgb
                for (c, v) in [r, g, b].enumerated() {
                    let shift = ((x * 7 + y * 13 + c * 5) % (2 * noise + 1)) - noise
                    pixels.append(UInt8(max(0, min(255, Int(v) + shift))))
                }
            }
        }
        return RGBImage(width: side, height: side, pixels: pixels)
    }

    @Test(arguments: NamedColour.allCases)
    func everyPairIsTold(_ foreground: NamedColour) {
        for background in NamedColour.allCases where background != foreground {
            let seen = SceneColours(Self.disc(foreground, on: background, radius: 6))   // ~113 pixels
            #expect(seen == SceneColours(foreground: foreground, background: background), "\(foreground) on \(background): saw \(seen)")
        }
    }

    @Test func emptySceneHasNoForeground() {
        #expect(SceneColours(Self.disc(.red, on: .blue, radius: 0)).foreground == nil)
    }

    @Test func shapeTouchingTheBorderLeavesTheBackground() {
        let seen = SceneColours(Self.disc(.yellow, on: .purple, radius: 20, cx: 12, cy: 12))
        #expect(seen == SceneColours(foreground: .yellow, background: .purple))
    }

    @Test func promptWording() {
        #expect(ShapesModel.prompt("circle", .red, .blue) == "a red circle on a blue background")
        #expect(ShapesModel.prompt("star", .orange, .orange) == "an orange star on an orange background")
    }
}

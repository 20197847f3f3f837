import DiffuseImage
import DiffusePipeline

/// The eight colours of the diffuse-shapes data set, with the sRGB values it renders them in
/// (`COLOURS` in Scripts/train_shapes/data.py), and the pixel rules the shapes tests classify images by.
enum NamedColour: String, CaseIterable, Sendable {
    case red, green, blue, yellow, orange, purple, white, black

    var rgb: (Float, Float, Float) {
        switch self {
        case .red: (220, 30, 30)
        case .green: (30, 160, 50)
        case .blue: (30, 70, 220)
        case .yellow: (245, 220, 40)
        case .orange: (245, 140, 20)
        case .purple: (140, 50, 180)
        case .white: (245, 245, 245)
        case .black: (15, 15, 15)
        }
    }

    /// Squared RGB distance to `pixel`.
    func distance2(_ pixel: (Float, Float, Float)) -> Float {
        let (r, g, b) = rgb
        return (r - pixel.0) * (r - pixel.0) + (g - pixel.1) * (g - pixel.1) + (b - pixel.2) * (b - pixel.2)
    }

    /// The named colour nearest to `pixel`.
    static func nearest(_ pixel: (Float, Float, Float)) -> NamedColour {
        allCases.min { $0.distance2(pixel) < $1.distance2(pixel) }!
    }
}

/// What an image shows, measured from its pixels: the background is the nearest named colour of the
/// border pixels' per-channel median; the foreground is the most frequent nearest named colour among
/// the pixels farther than `threshold` (RGB distance) from that median — nil when fewer than
/// `minimumPixels` are (nothing drawn).
struct SceneColours: Equatable, CustomStringConvertible {
    var foreground: NamedColour?
    var background: NamedColour

    /// 40 (RGB distance, of 441): about half the distance of the closest two palette colours
    /// (orange–yellow, 82), so a pixel counts as foreground once it is nearer another colour than the
    /// background; well above the colour noise of flat areas after the VAE.
    static let threshold: Float = 40
    /// 10 pixels: a "small" shape covers ≥ ~120 of the 64×64 pixels.
    static let minimumPixels = 10

    init(_ image: RGBImage) {
        let w = image.width, h = image.height
        func pixel(_ x: Int, _ y: Int) -> (Float, Float, Float) {
            let i = (y * w + x) * 3
            return (Float(image.pixels[i]), Float(image.pixels[i + 1]), Float(image.pixels[i + 2]))
        }
        var border: [(Float, Float, Float)] = []
        for x in 0..<w { border.append(pixel(x, 0)); border.append(pixel(x, h - 1)) }
        for y in 1..<(h - 1) { border.append(pixel(0, y)); border.append(pixel(w - 1, y)) }
        func median(_ values: [Float]) -> Float { values.sorted()[values.count / 2] }
        let back = (median(border.map(\.0)), median(border.map(\.1)), median(border.map(\.2)))
        background = NamedColour.nearest(back)
        var votes: [NamedColour: Int] = [:]
        var count = 0
        for y in 0..<h {
            for x in 0..<w {
                let p = pixel(x, y)
                let d2 = (p.0 - back.0) * (p.0 - back.0) + (p.1 - back.1) * (p.1 - back.1) + (p.2 - back.2) * (p.2 - back.2)
                guard d2 > Self.threshold * Self.threshold else { continue }
                votes[NamedColour.nearest(p), default: 0] += 1
                count += 1
            }
        }
        foreground = count < Self.minimumPixels ? nil : votes.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) }?.key
    }

    init(foreground: NamedColour?, background: NamedColour) {
        self.foreground = foreground
        self.background = background
    }

    var description: String { "\(foreground?.rawValue ?? "nothing") on \(background.rawValue)" }
}

import DiffuseImage

/// The same chart rasterised into an `RGBImage` (bars, axes, 1× line, labels in `BitmapFont`), for
/// viewers without SVG; written with the pipeline's PNG writer.
extension SpeedupChart {
    public var image: RGBImage {
        let l = Layout()
        var canvas = Canvas(width: l.width, height: l.height)
        canvas.text(title, x: (l.width - 2 * BitmapFont.width(title)) / 2, y: 14, scale: 2)
        canvas.text("SPEED-UP VS VANILLA", x: 8, y: l.top - 16)
        var tick = 0.0
        while tick <= axisTop + 1e-9 {
            let y = l.baseline - Int((tick / axisTop * Double(l.plotHeight)).rounded())
            canvas.fill(x: l.left, y: y, width: l.plotWidth, height: 1, (221, 221, 221))
            let label = fmt(tick, 1) + "×"
            canvas.text(label, x: l.left - 6 - BitmapFont.width(label), y: y - 3)
            tick += 0.5
        }
        let one = l.baseline - Int((1 / axisTop * Double(l.plotHeight)).rounded())
        for x in stride(from: l.left, to: l.width - l.right, by: 7) { canvas.fill(x: x, y: one, width: 4, height: 1, (85, 85, 85)) }
        for rect in barRects(l) {
            canvas.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, Self.colour(rect.bar.series))
            if let label = rect.bar.label {
                canvas.text(label, x: rect.x + (rect.width - BitmapFont.width(label)) / 2, y: l.baseline - 10)
            }
        }
        canvas.fill(x: l.left, y: l.baseline, width: l.plotWidth, height: 1, (0, 0, 0))
        canvas.fill(x: l.left, y: l.top, width: 1, height: l.plotHeight, (0, 0, 0))
        let groupWidth = batches.isEmpty ? 0 : l.plotWidth / batches.count
        for (i, batch) in batches.enumerated() {
            let label = "batch \(batch)"
            canvas.text(label, x: l.left + i * groupWidth + (groupWidth - BitmapFont.width(label)) / 2, y: l.baseline + 10)
        }
        for (i, name) in series.enumerated() {
            let x = l.left + (i % 4) * 200, y = l.baseline + 30 + (i / 4) * 18
            canvas.fill(x: x, y: y, width: 12, height: 12, Self.colour(i))
            canvas.text(name, x: x + 18, y: y + 3)
        }
        canvas.text(caption, x: (l.width - BitmapFont.width(caption)) / 2, y: l.height - 16)
        return RGBImage(width: canvas.width, height: canvas.height, pixels: canvas.pixels)
    }

    /// A white RGB canvas with clipped drawing.
    struct Canvas {
        let width: Int, height: Int
        var pixels: [UInt8]
        init(width: Int, height: Int) {
            self.width = width
            self.height = height
            pixels = [UInt8](repeating: 255, count: width * height * 3)
        }

        mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ colour: (UInt8, UInt8, UInt8)) {
            let x0 = max(0, x), x1 = min(width, x + w), y0 = max(0, y), y1 = min(height, y + h)
            guard x0 < x1, y0 < y1 else { return }
            for py in y0..<y1 {
                for px in x0..<x1 {
                    let i = (py * width + px) * 3
                    pixels[i] = colour.0; pixels[i + 1] = colour.1; pixels[i + 2] = colour.2
                }
            }
        }

        mutating func text(_ s: String, x: Int, y: Int, scale: Int = 1) {
            for p in BitmapFont.pixels(s) { fill(x: x + p.x * scale, y: y + p.y * scale, width: scale, height: scale, (0, 0, 0)) }
        }
    }
}

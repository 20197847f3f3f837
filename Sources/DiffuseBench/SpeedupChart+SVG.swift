/// SVG, written by hand: axes, y ticks every 0.5×, a dashed line at 1× (vanilla), bars, OOM labels,
/// legend, title and caption.
extension SpeedupChart {
    public var svg: String {
        let l = Layout()
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(l.width)\" height=\"\(l.height)\" "
                   + "viewBox=\"0 0 \(l.width) \(l.height)\" font-family=\"sans-serif\" font-size=\"12\">",
                   "<rect width=\"\(l.width)\" height=\"\(l.height)\" fill=\"white\"/>",
                   text(l.width / 2, 28, title, size: 16, anchor: "middle")]
        var tick = 0.0
        while tick <= axisTop + 1e-9 {
            let y = l.baseline - Int((tick / axisTop * Double(l.plotHeight)).rounded())
            out.append("<line x1=\"\(l.left)\" y1=\"\(y)\" x2=\"\(l.width - l.right)\" y2=\"\(y)\" stroke=\"#ddd\"/>")
            out.append(text(l.left - 6, y + 4, fmt(tick, 1) + "×", anchor: "end"))
            tick += 0.5
        }
        let one = l.baseline - Int((1 / axisTop * Double(l.plotHeight)).rounded())
        out.append("<line x1=\"\(l.left)\" y1=\"\(one)\" x2=\"\(l.width - l.right)\" y2=\"\(one)\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>")
        for rect in barRects(l) {
            let (r, g, b) = Self.colour(rect.bar.series)
            if rect.height > 0 {
                out.append("<rect class=\"bar\" x=\"\(rect.x)\" y=\"\(rect.y)\" width=\"\(rect.width)\" height=\"\(rect.height)\" "
                           + "fill=\"rgb(\(r),\(g),\(b))\"><title>\(escape(series[rect.bar.series])), batch \(rect.bar.batch): "
                           + (rect.bar.speedup.map { fmt($0, 2) + "×" } ?? "-") + "</title></rect>")
            }
            if let label = rect.bar.label {
                out.append(text(rect.x + rect.width / 2, l.baseline - 4, label, size: 9, anchor: "middle"))
            }
        }
        out.append("<line x1=\"\(l.left)\" y1=\"\(l.baseline)\" x2=\"\(l.width - l.right)\" y2=\"\(l.baseline)\" stroke=\"black\"/>")
        out.append("<line x1=\"\(l.left)\" y1=\"\(l.top)\" x2=\"\(l.left)\" y2=\"\(l.baseline)\" stroke=\"black\"/>")
        let groupWidth = batches.isEmpty ? 0 : l.plotWidth / batches.count
        for (i, batch) in batches.enumerated() {
            out.append(text(l.left + i * groupWidth + groupWidth / 2, l.baseline + 18, "batch \(batch)", anchor: "middle"))
        }
        out.append(text(18, l.top + l.plotHeight / 2, "speed-up vs vanilla", anchor: "middle",
                        extra: " transform=\"rotate(-90 18 \(l.top + l.plotHeight / 2))\""))
        for (i, name) in series.enumerated() {
            let (r, g, b) = Self.colour(i)
            let x = l.left + (i % 4) * 200, y = l.baseline + 40 + (i / 4) * 18
            out.append("<rect x=\"\(x)\" y=\"\(y - 10)\" width=\"12\" height=\"12\" fill=\"rgb(\(r),\(g),\(b))\"/>")
            out.append(text(x + 18, y, name))
        }
        out.append(text(l.width / 2, l.height - 10, caption, size: 11, anchor: "middle"))
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    private func text(_ x: Int, _ y: Int, _ s: String, size: Int = 12, anchor: String = "start", extra: String = "") -> String {
        "<text x=\"\(x)\" y=\"\(y)\" font-size=\"\(size)\" text-anchor=\"\(anchor)\"\(extra)>\(escape(s))</text>"
    }

    private func escape(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
            .replacing("\"", with: "&quot;")
    }
}

/// diffusers' `sample_size`: an int for square samples or `[height, width]`.
public struct SampleSize: Codable, Sendable, Equatable {
    public var height: Int
    public var width: Int

    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    public init(_ side: Int) { self.init(height: side, width: side) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let side = try? container.decode(Int.self) {
            self.init(side)
        } else if let hw = try? container.decode([Int].self), hw.count == 2 {
            self.init(height: hw[0], width: hw[1])
        } else {
            throw DecodingError.typeMismatch(Int.self, .init(
                codingPath: decoder.codingPath, debugDescription: "expected an integer or [height, width]"))
        }
    }

    /// Encodes as an int when square, `[height, width]` otherwise.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if height == width { try container.encode(height) } else { try container.encode([height, width]) }
    }
}

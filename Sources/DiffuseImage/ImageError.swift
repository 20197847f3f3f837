/// Why an image file could not be read or written. `description` is one line that names the file,
/// says what is wrong and, where there is one, what to do about it.
public struct ImageError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The file does not exist.
        case notFound
        /// The file exists but cannot be read (permissions, a folder, an I/O error).
        case unreadable
        /// Neither a PNG nor a JPEG signature.
        case unsupportedFormat
        /// The file ends before the image does.
        case truncated
        /// Damaged content: CRC mismatch, bad zlib stream, bad header field, libjpeg error.
        case corrupt
        /// Width or height 0, or beyond `ImageLimits`.
        case badDimensions
        /// A text chunk keyword or value that PNG cannot hold.
        case invalidText
        /// The output file could not be written.
        case unwritable
    }

    public let kind: Kind
    /// The file (or the `source` name given for in-memory data).
    public let path: String
    /// What is wrong, and what to do, without the path.
    public let reason: String

    public init(_ kind: Kind, path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Sizes the readers refuse before allocating pixel memory.
public enum ImageLimits {
    /// Largest width or height accepted.
    public static let maxSide = 16_384
    /// Largest width × height accepted (100 megapixels).
    public static let maxPixels = 100_000_000

    static func check(width: Int, height: Int, path: String) throws {
        guard width > 0, height > 0 else {
            throw ImageError(.badDimensions, path: path,
                             "the image header says \(width)×\(height) pixels; a side of 0 means the file is broken")
        }
        guard width <= maxSide, height <= maxSide, width * height <= maxPixels else {
            throw ImageError(.badDimensions, path: path,
                             "the image is \(width)×\(height) pixels; the limit is \(maxSide) per side and "
                             + "\(maxPixels / 1_000_000) megapixels — scale it down first")
        }
    }
}

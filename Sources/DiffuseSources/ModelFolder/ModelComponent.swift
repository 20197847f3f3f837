/// One entry of `model_index.json`: `"unet": ["diffusers", "UNet2DConditionModel"]` — the library that
/// defines the component's class, and the class name.
public struct ModelComponent: Codable, Sendable, Equatable {
    public var library: String
    public var className: String

    public init(library: String, className: String) {
        self.library = library
        self.className = className
    }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        library = try c.decode(String.self)
        className = try c.decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(library)
        try c.encode(className)
    }
}

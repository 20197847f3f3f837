/// Why `DefaultModel.resolve` found no default model: the message names where it looked and what to do.
public struct DefaultModelError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

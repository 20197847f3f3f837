/// A prompt that `A1111PromptParser` cannot read: names the part and says how to write it.
public struct PromptSyntaxError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The part of the prompt that is wrong, e.g. `:1.2.3)`.
    public var fragment: String
    public var message: String

    public init(fragment: String, message: String) {
        self.fragment = fragment
        self.message = message
    }

    public var description: String { "prompt syntax (a1111): \"\(fragment)\": \(message)" }
}

/// A bad benchmark option or input: one line saying what was wrong and what to do.
public struct BenchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

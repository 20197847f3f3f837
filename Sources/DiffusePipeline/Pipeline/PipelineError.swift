/// Why a generation did not run, in one line that says what to fix.
public struct PipelineError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        /// A `GenerationConfiguration` value out of range (steps, size, strength, …).
        case invalidConfiguration
        /// The size would not fit in memory.
        case tooLarge
        /// The step callback asked to stop.
        case cancelled
        /// The model cannot be used this way (e.g. a UNet that is not a 4-channel text-to-image UNet).
        case unsupportedModel
        /// A stage produced NaN or ±∞ (`FiniteCheck`): broken weights or schedule, or an overflowing setting.
        case nonFinite
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

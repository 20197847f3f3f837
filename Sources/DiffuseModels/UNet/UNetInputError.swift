/// A UNet forward call whose inputs do not fit the model (wrong rank, channels, batch, text width, a
/// timestep count that is neither 1 nor the batch, a latent size the up path cannot restore, SDXL's added
/// conditions missing, unexpected or of the wrong widths).
public struct UNetInputError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The argument at fault: `sample`, `timestep`, `encoderHiddenStates`, `added`, `added.textEmbeds` or
    /// `added.timeIds`.
    public let argument: String
    public let message: String

    public init(argument: String, message: String) {
        self.argument = argument
        self.message = message
    }

    public var description: String { "UNet2DConditionModel.forward: \(argument) \(message)" }
}

/// A LoRA file with the weight it is applied with (diffusers `set_adapters(names, adapter_weights=…)`):
/// every layer's update is scaled by `scale` (default 1; negative values subtract the LoRA).
public struct LoRAAdapter: Sendable {
    public let file: LoRAFile
    public let scale: Float

    public init(file: LoRAFile, scale: Float = 1) {
        self.file = file
        self.scale = scale
    }

    /// Reads `path` (see `LoRAFile`); `scale` must be finite.
    public init(path: String, scale: Float = 1) throws {
        guard scale.isFinite else {
            throw LoRAError(.invalidScale, path: path, message: "the LoRA scale must be a number, got \(scale)")
        }
        self.init(file: try LoRAFile(path: path), scale: scale)
    }

    /// `FILE` or `FILE:SCALE` (the CLI's `--lora`): the text after the last `:` is the scale when it is a
    /// number, otherwise part of the path.
    public static func parse(_ argument: String) throws -> (path: String, scale: Float) {
        guard let colon = argument.lastIndex(of: ":") else { return (argument, 1) }
        let suffix = argument[argument.index(after: colon)...]
        // Not a number: the colon is part of the path (reading it then says whether that file exists).
        guard let scale = Float(suffix) else { return (argument, 1) }
        guard scale.isFinite else {
            throw LoRAError(.invalidScale, path: String(argument[..<colon]), message: "the LoRA scale must be a finite number, got \(suffix)")
        }
        return (String(argument[..<colon]), scale)
    }
}

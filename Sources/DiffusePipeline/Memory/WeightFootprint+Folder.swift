import DiffuseSources
extension WeightFootprint {
    /// The parameters stored for each component of `folder`, from the safetensors headers (the files
    /// are mapped, not read): what a prediction needs before the weights are loaded.
    public init(folder: ModelFolder) throws {
        func count(_ component: SingleFileCheckpoint.Component) throws -> Int {
            try folder.weightStore(component, dtype: nil).storedDTypes.values.reduce(0, +)
        }
        let textEncoder = folder.textEncoder == nil ? 0 : try count(.textEncoder)
        let textEncoder2 = folder.textEncoder2 == nil ? 0 : try count(.textEncoder2)
        self = .parameters(unet: try count(.unet), textEncoder: textEncoder + textEncoder2, vae: try count(.vae))
    }
}

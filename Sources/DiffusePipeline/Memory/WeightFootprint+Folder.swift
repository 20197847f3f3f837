import DiffuseSources
import DiffuseNN
extension WeightFootprint {
    /// The parameters stored for each component of `folder` (the VAE: `vae`'s when given), from the
    /// safetensors headers (the files are mapped, not read): what a prediction needs before the weights are
    /// loaded.
    public init(folder: ModelFolder, vae: VAEFolder? = nil) throws {
        func count(_ component: SingleFileCheckpoint.Component) throws -> Int {
            try folder.weightStore(component, dtype: nil).storedDTypes.values.reduce(0, +)
        }
        let textEncoder = folder.textEncoder == nil ? 0 : try count(.textEncoder)
        let textEncoder2 = folder.textEncoder2 == nil ? 0 : try count(.textEncoder2)
        let vaeParameters = try vae.map { try WeightStore(files: $0.weights.files, dtype: nil).storedDTypes.values.reduce(0, +) }
            ?? count(.vae)
        self = .parameters(unet: try count(.unet), textEncoder: textEncoder + textEncoder2, vae: vaeParameters)
    }
}

import DiffuseCore
import DiffuseNN

extension ModelFolder {
    /// The `WeightStore` of one component, wherever its weights are: the component folder's files, or
    /// the renaming view of a single-file checkpoint (`checkpoint`). For tools that build models
    /// themselves (e.g. `diffuse inspect`); the pipeline adds its precision policy on top.
    public func weightStore(_ component: SingleFileCheckpoint.Component, dtype: DType?) throws -> WeightStore {
        if let checkpoint { return checkpoint.weightStore(component, folder: self, dtype: dtype) }
        let files = switch component {
        case .unet: unetWeights.files
        case .vae: vaeWeights.files
        case .textEncoder: textEncoderWeights.files
        }
        return try WeightStore(files: files, dtype: dtype)
    }
}

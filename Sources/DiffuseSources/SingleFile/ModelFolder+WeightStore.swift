import DiffuseCore
import DiffuseNN

extension ModelFolder {
    /// The weight files of one component's folder; nil for a component `model_index.json` does not list
    /// (`text_encoder_2` outside SDXL). Empty for a config folder opened with `weights: false`.
    public func weightFiles(_ component: SingleFileCheckpoint.Component) -> WeightFiles? {
        switch component {
        case .unet: unetWeights
        case .vae: vaeWeights
        case .textEncoder: textEncoderWeights
        case .textEncoder2: textEncoder2Weights
        }
    }

    /// `weightFiles(component)`, or `ModelFolderError.missingComponent` for a component the model does not have.
    public func requiredWeightFiles(_ component: SingleFileCheckpoint.Component) throws -> WeightFiles {
        guard let files = weightFiles(component) else {
            throw ModelFolderError(.missingComponent, path: componentPath(component.rawValue),
                message: "this model has no \(component.rawValue) (model_index.json does not list it)")
        }
        return files
    }

    /// The `WeightStore` of one component, wherever its weights are: the component folder's files, or
    /// the renaming view of a single-file checkpoint (`checkpoint`). For tools that build models
    /// themselves (e.g. `diffuse inspect`); the pipeline adds its precision policy on top. Throws
    /// `ModelFolderError.missingComponent` for a component the model does not have (`weightFiles` nil).
    public func weightStore(_ component: SingleFileCheckpoint.Component, dtype: DType?) throws -> WeightStore {
        let files = try requiredWeightFiles(component)
        if let checkpoint { return checkpoint.weightStore(component, folder: self, dtype: dtype) }
        return try WeightStore(files: files.files, dtype: dtype)
    }
}

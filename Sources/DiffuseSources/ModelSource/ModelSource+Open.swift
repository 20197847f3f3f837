/// Opening whatever `--model` names as a `ModelFolder`: a diffusers folder, a hub id (cache, else
/// download), or a single-file checkpoint in the original layout (configs from `config`, else
/// recognised from the tensor shapes). `generate`, `inspect` and `bench` all go through here.
extension ModelSource {
    /// What to open; `config` and `predictionType` apply to single-file checkpoints only.
    public struct Request: Sendable, Equatable {
        public var model: String
        public var revision: String?
        public var variant: String?
        /// A diffusers folder or hub id holding the configs of a single-file checkpoint.
        public var config: String?
        /// For a recognised SD 2.x single file: `v_prediction` (default) or `epsilon`.
        public var predictionType: String?

        public init(model: String, revision: String? = nil, variant: String? = nil,
                    config: String? = nil, predictionType: String? = nil) {
            self.model = model
            self.revision = revision
            self.variant = variant
            self.config = config
            self.predictionType = predictionType
        }
    }

    /// The opened folder (configs decoded, weights located, nothing loaded yet) and where it came from.
    public static func open(_ request: Request, environment: [String: String] = current,
                            progress: DownloadProgress? = nil) throws -> (folder: ModelFolder, resolved: ResolvedModel) {
        let resolved = try locate(request.model, revision: request.revision, variant: request.variant,
                                  environment: environment, progress: progress)
        guard case .singleFile = resolved.origin else {
            if request.config != nil || request.predictionType != nil {
                throw ModelSourceError(.invalidOption, model: request.model,
                    message: "--config and --prediction-type apply only to a single-file checkpoint (a .safetensors file); a folder or hub id carries its own configs")
            }
            return (try ModelFolder(path: resolved.path, variant: request.variant), resolved)
        }
        if request.variant != nil {
            throw ModelSourceError(.invalidOption, model: request.model,
                message: "--variant applies to diffusers folders and hub ids; a single-file checkpoint has one set of weights")
        }
        let configFolder = try request.config.map {
            try locate($0, environment: environment, progress: progress)
        }
        if let configFolder, case .singleFile = configFolder.origin {
            throw ModelSourceError(.invalidOption, model: request.model,
                message: "--config \(configFolder.path) is a file; give a diffusers folder or hub id holding model_index.json and the component configs")
        }
        let folder = try SingleFileCheckpoint.open(path: resolved.path, options: SingleFileOptions(
            configFolder: configFolder?.path, predictionType: request.predictionType))
        let located = ResolvedModel(path: resolved.path, origin: .singleFile(configs: folder.path,
                                    recognised: configFolder == nil), model: request.model)
        return (folder, located)
    }
}

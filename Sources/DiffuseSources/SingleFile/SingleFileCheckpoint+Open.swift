extension SingleFileCheckpoint {
    /// Opens a single-file checkpoint as a `ModelFolder` the pipeline loads like any other: the configs
    /// from `options.configFolder` (a diffusers folder; its weights are ignored) or, without one, the
    /// standard SD 1.5 / 2.1 / SDXL base 1.0 / SDXL refiner 1.0 configs the tensor shapes are recognised
    /// as (`StandardModel`); the weights from the file (`ModelFolder.checkpoint`). An SDXL file's
    /// `text_encoder_2` is `weightStore(.textEncoder2, dtype:)` of the returned folder. The config folder
    /// must have the text encoders the file has (a refiner file, with only `text_encoder_2`, needs a
    /// refiner's configs).
    ///
    /// ```swift
    /// let folder = try SingleFileCheckpoint.open(path: "v1-5-pruned-emaonly.safetensors")
    /// let pipe = try StableDiffusionPipeline(folder: folder)
    /// ```
    /// Throws `SingleFileError` (pickle files, wrong layout, unrecognised architecture), the config
    /// folder's `ModelFolderError` / `ConfigError`, or safetensors errors. Tensors that do not fit the
    /// configs are reported when the pipeline loads (`WeightLoadError`, by original-layout key).
    public static func open(path: String, options: SingleFileOptions = SingleFileOptions()) throws -> ModelFolder {
        let checkpoint = try SingleFileCheckpoint(path: path)
        let configs: String
        if let folder = options.configFolder {
            if options.predictionType != nil {
                throw SingleFileError(.invalidOption, path: folder,
                    message: "a prediction type cannot be combined with a config folder; set prediction_type in its scheduler/scheduler_config.json")
            }
            configs = folder
        } else {
            configs = try StandardModel.recognise(checkpoint, predictionType: options.predictionType).configFolder(options)
        }
        var folder = try ModelFolder(path: configs, weights: false)
        let inFile = Set(checkpoint.family.components)
        let inFolder = Set([folder.textEncoder.map { _ in Component.textEncoder }, folder.textEncoder2.map { _ in .textEncoder2 }]
            .compactMap { $0 })
        if inFile.intersection([.textEncoder, .textEncoder2]) != inFolder {
            let names = { (s: Set<Component>) in s.isEmpty ? "none" : s.map(\.rawValue).sorted().joined(separator: " + ") }
            throw SingleFileError(.unsupported, path: path, message:
                "an \(checkpoint.family.rawValue) checkpoint (text encoders: \(names(inFile.intersection([.textEncoder, .textEncoder2])))), "
                + "but the config folder \(configs) has \(names(inFolder)); give the configs of the model the file holds")
        }
        folder.checkpoint = checkpoint
        return folder
    }

    /// `open(path:options:)` with a config folder (nil: recognise a standard model).
    public static func open(path: String, config: String?) throws -> ModelFolder {
        try open(path: path, options: SingleFileOptions(configFolder: config))
    }
}

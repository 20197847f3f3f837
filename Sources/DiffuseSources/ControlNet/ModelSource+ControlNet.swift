/// Opening what `--controlnet` names, as diffusers' `ControlNetModel.from_pretrained(folder or id)` /
/// `ControlNetModel.from_single_file(file, config=…)` read it:
///
/// - a diffusers ControlNet folder (`ControlNetFiles(folder:)`);
/// - a hub id whose repository holds one at its root (lllyasviel/sd-controlnet-canny,
///   diffusers/controlnet-canny-sdxl-1.0), from the Hugging Face cache or downloaded into it as `--vae` is
///   (`HubLayout.controlNet`: config.json + the default weights, else the fp16 ones when only those exist);
/// - a single `.safetensors` file (`ControlNetSingleFile`) in the original or diffusers' layout, its config
///   given (`config`: a ControlNet config.json, or a folder holding one) or recognised from the tensor shapes
///   as a standard SD 1.5 / 2.1 / SDXL ControlNet (`StandardControlNet`).
///
/// Pickles (`.pth`, `.ckpt`, `.pt`, `.bin`) are refused by name, before anything is read.
extension ModelSource {
    static let controlNetUsage = "--controlnet takes a diffusers ControlNet folder (config.json + diffusion_pytorch_model.safetensors), a hub id such as lllyasviel/sd-controlnet-canny, or a .safetensors file"

    /// The ControlNet's config and weight files, and where they came from (`ResolvedModel.Origin`: `.folder`,
    /// `.hubCache`, `.downloaded`, or `.singleFile(configs:recognised:)`). Throws `SingleFileError` (a pickle,
    /// a file that is no ControlNet — named —, an unrecognised architecture without `config`),
    /// `ModelSourceError` (not found, hub problems, `config` with a folder or hub id), `ModelFolderError`
    /// (layout) or `ConfigError`.
    public static func openControlNet(_ argument: String, config: String? = nil, environment: [String: String] = current,
                                      progress: DownloadProgress? = nil) throws -> (controlNet: ControlNetFiles, resolved: ResolvedModel) {
        try ControlNetSingleFile.refusePickle(argument)
        let reference: ModelReference
        do {
            reference = try ModelReference.classify(argument)
        } catch let error as ModelSourceError where error.kind == .notFound {
            let what = argument.lowercased().hasSuffix(".safetensors") ? "no such file" : "no such folder or file, and not a Hugging Face hub id (org/name)"
            throw ModelSourceError(.notFound, model: argument, message: what + "; " + controlNetUsage)
        }
        if config != nil {
            guard case .file = reference else {
                throw ModelSourceError(.invalidOption, model: argument,
                    message: "a ControlNet config applies only to a single .safetensors file; a folder or hub id carries its own config.json")
            }
        }
        switch reference {
        case .folder(let path):
            return (try ControlNetFiles(folder: path), ResolvedModel(path: path, origin: .folder, model: argument))
        case .file(let path):
            let file = try ControlNetSingleFile(path: path)
            let (opened, configs) = try openSingleFile(file, config: config)
            return (opened, ResolvedModel(path: path, origin: .singleFile(configs: configs, recognised: config == nil), model: argument))
        case .hub(let id):
            let resolved = try locateHub(id, revision: "main", variant: nil, layout: .controlNet, environment: environment,
                                         progress: progress)
            return (try ControlNetFiles(folder: resolved.path), resolved)
        }
    }

    /// `file` with the config at `config` (a config.json, or a folder holding one), else the standard one its
    /// shapes are recognised as; and where the config came from, in words.
    static func openSingleFile(_ file: ControlNetSingleFile, config: String?) throws -> (ControlNetFiles, configs: String) {
        guard let config else {
            let shapes = ControlNetShapes(layout: file.layout, shapes: file.shapes, path: file.path)
            let standard = try shapes.recognise()
            return (ControlNetFiles(path: file.path, config: standard.config, weights: .singleFile(file)),
                    "the standard \(standard.model.displayName) config, as \(standard.model.reference)'s")
        }
        let configFile: String
        switch ModelFolder.fileKind(config) {
        case true?:
            configFile = config + (config.hasSuffix("/") ? "" : "/") + "config.json"
            guard ModelFolder.isFile(configFile) else {
                let hint = ModelFolder.isFile(config + "/model_index.json") ? " (a pipeline folder: give its controlnet/ folder)" : ""
                throw ModelFolderError(.missingConfig, path: configFile, message: "missing; the ControlNet config folder must hold its config.json" + hint)
            }
        case false?:
            configFile = config
        case nil:
            throw ModelFolderError(.missingConfig, path: config,
                message: "no such file or folder; give the ControlNet's config.json or the folder holding it")
        }
        return (ControlNetFiles(path: file.path, config: try ControlNetFiles.readConfig(configFile), weights: .singleFile(file)), configFile)
    }
}

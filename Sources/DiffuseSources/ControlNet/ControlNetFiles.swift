import DiffuseCore
import DiffuseModels
import DiffuseNN

/// A ControlNet's config and where its weights are, as `ModelSource.openControlNet` finds them: a diffusers
/// ControlNet folder (what `ControlNetModel.from_pretrained(folder)` reads — a hub repository such as
/// lllyasviel/sd-controlnet-canny, or a ControlNet pipeline's `controlnet/`):
///
///     config.json                            `_class_name` ControlNetModel (`ControlNetConfig`)
///     diffusion_pytorch_model.safetensors    (else diffusion_pytorch_model.fp16.safetensors; or shards with their index)
///
/// or a single `.safetensors` file (`ControlNetSingleFile`). Nothing is loaded here: `weightStore(dtype:)`
/// hands the tensors out by diffusers key, as `ControlNetModel(config:weights:backend:)` reads them.
public struct ControlNetFiles: Sendable {
    /// Where the weights are.
    public enum Weights: Sendable {
        /// A diffusers folder's files, keys as stored.
        case folder(WeightFiles)
        /// One file, in either layout.
        case singleFile(ControlNetSingleFile)
    }

    /// The folder (without a trailing `/`) or the file.
    public let path: String
    public let config: ControlNetConfig
    public let weights: Weights

    public init(path: String, config: ControlNetConfig, weights: Weights) {
        self.path = path
        self.config = config
        self.weights = weights
    }

    /// The ControlNet's tensors by diffusers key (`dtype` as `WeightStore(files:dtype:)`); a single file in
    /// the original layout through `OriginalControlNetMapping`. Throws the safetensors errors of the files.
    public func weightStore(dtype: DType?) throws -> WeightStore {
        switch weights {
        case .folder(let files): return try WeightStore(files: files.files, dtype: dtype, source: path)
        case .singleFile(let file): return try file.weightStore(config: config, dtype: dtype)
        }
    }

    /// Opens the diffusers ControlNet folder at `path`: the config decoded (a config of another class is
    /// refused), the weights located — `diffusion_pytorch_model.safetensors` or its shards, else the fp16
    /// variant when that is all there is. Throws `ModelFolderError` (layout; a pipeline folder is named as
    /// such, with its `controlnet/` when it has one) or `ConfigError`.
    public init(folder path: String) throws {
        let root = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        guard ModelFolder.isDirectory(root) else {
            throw ModelFolderError(.missingFolder, path: root,
                message: "no such folder; give a diffusers ControlNet folder (config.json + diffusion_pytorch_model.safetensors), a hub id or a .safetensors file")
        }
        let configPath = root + "/config.json"
        guard ModelFolder.isFile(configPath) else {
            let hint = ModelFolder.isFile(root + "/controlnet/config.json")
                ? "this is a pipeline folder; give its ControlNet folder, \(root)/controlnet"
                : ModelFolder.isFile(root + "/model_index.json")
                ? "this is a pipeline folder (model_index.json), not a ControlNet; give it as --model"
                : "a diffusers ControlNet folder has config.json and diffusion_pytorch_model.safetensors"
            throw ModelFolderError(.missingConfig, path: configPath, message: "missing; " + hint)
        }
        let config = try Self.readConfig(configPath)
        let weights: WeightFiles
        do {
            weights = try ModelFolder.findWeights(in: root, baseName: "diffusion_pytorch_model", variant: nil)
        } catch let error as ModelFolderError where error.kind == .variantMismatch {
            guard let fp16 = try? ModelFolder.findWeights(in: root, baseName: "diffusion_pytorch_model", variant: "fp16") else { throw error }
            weights = fp16
        }
        self.init(path: root, config: config, weights: .folder(weights))
    }

    /// A ControlNet config.json; one whose `_class_name` is another model's (a UNet, a VAE, ControlNet-XS,
    /// a ControlNet Union) is refused, naming it.
    static func readConfig(_ file: String) throws -> ControlNetConfig {
        let config = try ControlNetConfig(contentsOfFile: file)
        if let name = config.className, name != "ControlNetModel" {
            throw ConfigError(.unsupported, file: file, key: "_class_name", value: "\"\(name)\"",
                message: "not a ControlNet config: Diffuse runs diffusers' ControlNetModel (\"_class_name\": \"ControlNetModel\")"
                    + (name == "UNet2DConditionModel" ? "; this is a UNet's — give the model as --model" : ""))
        }
        return config
    }
}

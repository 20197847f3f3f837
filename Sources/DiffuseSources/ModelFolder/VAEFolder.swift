import DiffuseModels

/// A diffusers VAE folder, as `AutoencoderKL.from_pretrained(folder)` / `AutoencoderTiny.from_pretrained(folder)`
/// reads it — a pipeline's `vae/`, or a VAE repository such as madebyollin/taesd, madebyollin/taesdxl or
/// stabilityai/sd-vae-ft-mse:
///
///     config.json                           `_class_name` AutoencoderKL or AutoencoderTiny (`VAEConfig`)
///     diffusion_pytorch_model.safetensors   (or .{variant}.safetensors, or shards with their index)
///
/// What `--vae` opens to replace a model's VAE. Like `ModelFolder`, `init` checks the layout and decodes the
/// config but does not judge whether Diffuse runs it (`config.validateSupported()`).
public struct VAEFolder: Sendable {
    /// The folder, as given (without a trailing `/`).
    public let path: String
    public let config: VAEConfig
    public let weights: WeightFiles

    /// Opens the VAE folder at `path`; `variant` selects `diffusion_pytorch_model.{variant}.safetensors`.
    /// Errors are `ModelFolderError` (layout; a pipeline folder is named as such, with its `vae/` to give
    /// instead) or `ConfigError` (the config's content, or a class that is not a VAE).
    public init(path: String, variant: String? = nil) throws {
        let root = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        self.path = root
        guard ModelFolder.isDirectory(root) else {
            throw ModelFolderError(.missingFolder, path: root,
                message: "no such folder; give a diffusers VAE folder (config.json + diffusion_pytorch_model.safetensors)")
        }
        let configPath = root + "/config.json"
        guard ModelFolder.isFile(configPath) else {
            let hint = ModelFolder.isFile(root + "/model_index.json")
                ? "this is a pipeline folder (model_index.json); give its VAE folder, \(root)/vae"
                : "a diffusers VAE folder has config.json and diffusion_pytorch_model.safetensors"
            throw ModelFolderError(.missingConfig, path: configPath, message: "missing; " + hint)
        }
        config = try VAEConfig(contentsOfFile: configPath)
        weights = try ModelFolder.findWeights(in: root, baseName: "diffusion_pytorch_model", variant: variant)
    }
}

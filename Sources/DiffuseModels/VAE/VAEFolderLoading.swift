import DiffuseCore
import DiffuseNN

/// Loading a diffusers VAE (`AutoencoderKL`, `AutoencoderTiny`) from its safetensors files or its folder,
/// as diffusers' `from_pretrained` does for a `vae/` folder or a VAE repository such as madebyollin/taesd:
/// the config checked first (`ConfigError` before any file is opened), the files memory-mapped (weights
/// stored in another dtype than `dtype` converted once), then `WeightLoadError` listing every missing,
/// unused and mis-shaped key; an unreadable file is the safetensors error naming its path.
public protocol VAEFolderLoading: AnyObject {
    associatedtype Config: ConfigFile
    init(config: Config, weights: WeightStore, backend: any Backend, computeDType: DType?) throws
    /// The config's first unsupported value, as `ConfigError`.
    static func validate(_ config: Config) throws
}

extension VAEFolderLoading {
    /// The model from `config` and `weightFiles` (the pipeline's folder resolution, which handles shards,
    /// calls this directly).
    public init(config: Config, weightFiles: [String], dtype: DType = .f32, backend: any Backend) throws {
        try Self.validate(config)
        guard !weightFiles.isEmpty else {
            throw AutoencoderError(message: "\(config.sourceFile): no weight files given for the VAE")
        }
        let store = try WeightStore(files: weightFiles, dtype: dtype, source: weightFiles.joined(separator: ", "))
        try self.init(config: config, weights: store, backend: backend, computeDType: nil)
    }

    /// Reads `<directory>/config.json` and `<directory>/diffusion_pytorch_model[.<variant>].safetensors`
    /// (unsharded). - Parameter variant: e.g. `"fp16"` → `diffusion_pytorch_model.fp16.safetensors`.
    public init(directory: String, variant: String? = nil, dtype: DType = .f32, backend: any Backend) throws {
        let config = try Config(contentsOfFile: directory + "/config.json")
        let weights = directory + "/diffusion_pytorch_model" + (variant.map { "." + $0 } ?? "") + ".safetensors"
        try self.init(config: config, weightFiles: [weights], dtype: dtype, backend: backend)
    }
}

extension AutoencoderKL: VAEFolderLoading {
    /// Also legacy checkpoints whose mid-block attention uses `query/key/value/proj_attn`.
    public static func validate(_ config: AutoencoderKLConfig) throws { try config.validateSupported() }
}

extension AutoencoderTiny: VAEFolderLoading {
    public static func validate(_ config: AutoencoderTinyConfig) throws { try config.validateSupported() }
}

import DiffuseCore
import DiffuseNN

extension AutoencoderKL {
    /// Loads the VAE from its config and safetensors files (memory-mapped; weights stored in another
    /// dtype than `dtype` are converted once). Mirrors diffusers' `AutoencoderKL.from_pretrained` for a
    /// `vae/` folder, including legacy checkpoints whose mid-block attention uses `query/key/value/proj_attn`.
    ///
    /// Throws `ConfigError` for an unsupported config value (before opening any file), the
    /// safetensors error naming the path for an unreadable file, and `WeightLoadError` listing every
    /// missing, unused and mis-shaped key.
    public convenience init(config: AutoencoderKLConfig, weightFiles: [String], dtype: DType = .f32,
                            backend: any Backend) throws {
        try config.validateSupported()
        guard !weightFiles.isEmpty else {
            throw AutoencoderError(message: "\(config.sourceFile): no weight files given for the VAE")
        }
        let store = try WeightStore(files: weightFiles, dtype: dtype, source: weightFiles.joined(separator: ", "))
        try self.init(config: config, weights: store, backend: backend)
    }

    /// Reads `<directory>/config.json` and `<directory>/diffusion_pytorch_model[.<variant>].safetensors`
    /// (a diffusers `vae/` folder, as `AutoencoderKL.from_pretrained` reads it, unsharded). Errors name the
    /// path. The pipeline's model-folder resolution, which also handles shards, calls
    /// `init(config:weightFiles:dtype:backend:)` directly.
    /// - Parameter variant: the weight-file variant (`"fp16"` → `diffusion_pytorch_model.fp16.safetensors`).
    public convenience init(directory: String, variant: String? = nil, dtype: DType = .f32,
                            backend: any Backend) throws {
        let config = try AutoencoderKLConfig(contentsOfFile: directory + "/config.json")
        let weights = directory + "/diffusion_pytorch_model" + (variant.map { "." + $0 } ?? "") + ".safetensors"
        try self.init(config: config, weightFiles: [weights], dtype: dtype, backend: backend)
    }
}

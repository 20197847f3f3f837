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
            throw AutoencoderKLError(message: "\(config.sourceFile): no weight files given for the VAE")
        }
        let store = try WeightStore(files: weightFiles, dtype: dtype, source: weightFiles.joined(separator: ", "))
        try self.init(config: config, weights: store, backend: backend)
    }

    /// Loads `<folder>/config.json` and `<folder>/diffusion_pytorch_model.safetensors` (a diffusers
    /// `vae/` folder with unsharded, non-variant weights; the pipeline's model-folder resolution
    /// handles variants and shards and calls `init(config:weightFiles:dtype:backend:)`).
    public convenience init(folder: String, dtype: DType = .f32, backend: any Backend) throws {
        let config = try AutoencoderKLConfig(contentsOfFile: folder + "/config.json")
        try self.init(config: config, weightFiles: [folder + "/diffusion_pytorch_model.safetensors"],
                      dtype: dtype, backend: backend)
    }
}

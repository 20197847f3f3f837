import DiffuseCore
import DiffuseNN

extension AutoencoderTiny {
    /// Loads the model from its config and safetensors files (memory-mapped; weights stored in another
    /// dtype than `dtype` are converted once), as `AutoencoderTiny.from_pretrained` does for a folder such
    /// as madebyollin/taesd. Errors as `init(config:weights:backend:computeDType:)`, plus the safetensors
    /// error naming the path for an unreadable file.
    public convenience init(config: AutoencoderTinyConfig, weightFiles: [String], dtype: DType = .f32,
                            backend: any Backend) throws {
        try config.validateSupported()
        guard !weightFiles.isEmpty else {
            throw AutoencoderError(message: "\(config.sourceFile): no weight files given for the VAE")
        }
        let store = try WeightStore(files: weightFiles, dtype: dtype, source: weightFiles.joined(separator: ", "))
        try self.init(config: config, weights: store, backend: backend)
    }

    /// Reads `<directory>/config.json` and `<directory>/diffusion_pytorch_model[.<variant>].safetensors`.
    public convenience init(directory: String, variant: String? = nil, dtype: DType = .f32,
                            backend: any Backend) throws {
        let config = try AutoencoderTinyConfig(contentsOfFile: directory + "/config.json")
        let weights = directory + "/diffusion_pytorch_model" + (variant.map { "." + $0 } ?? "") + ".safetensors"
        try self.init(config: config, weightFiles: [weights], dtype: dtype, backend: backend)
    }
}

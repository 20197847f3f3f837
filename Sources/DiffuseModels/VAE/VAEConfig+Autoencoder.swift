import DiffuseCore
import DiffuseNN

extension VAEConfig {
    /// The model this config describes, built from `weights` (see `AutoencoderKL` / `AutoencoderTiny`'s
    /// `init(config:weights:backend:computeDType:)` for the errors).
    public func autoencoder(weights: WeightStore, backend: any Backend,
                            computeDType: DType? = nil) throws -> any LatentAutoencoder {
        switch self {
        case .autoencoderKL(let c): try AutoencoderKL(config: c, weights: weights, backend: backend, computeDType: computeDType)
        case .autoencoderTiny(let c): try AutoencoderTiny(config: c, weights: weights, backend: backend, computeDType: computeDType)
        }
    }
}

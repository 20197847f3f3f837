import DiffuseCore

/// A tensor passed to a VAE's `encode` / `decode` (`AutoencoderKL`, `AutoencoderTiny`) that the model
/// cannot take (wrong rank, channel count or dtype), or a VAE that cannot be loaded (no weight files).
/// Names the model and method, the argument, what was given and what is expected.
public struct AutoencoderError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }

    public init(message: String) { self.message = message }

    /// `tensor` must be a floating [B, channels, H, W] tensor with B, H, W ≥ 1; `model` and `method` name
    /// the call in the message (`AutoencoderTiny.decode: …`).
    static func checkImageLike(_ tensor: Tensor, role: String, channels: Int, model: String = "AutoencoderKL",
                               method: String) throws {
        let expected = "[batch, \(channels), height, width]"
        let call = "\(model).\(method)"
        guard tensor.rank == 4 else {
            throw AutoencoderError(message: "\(call): \(role) has shape \(tensor.shape); expected \(expected)")
        }
        guard tensor.size(1) == channels else {
            throw AutoencoderError(message: "\(call): \(role) has \(tensor.size(1)) channels "
                                   + "(shape \(tensor.shape)); this VAE expects \(expected)")
        }
        guard tensor.shape.allSatisfy({ $0 >= 1 }) else {
            throw AutoencoderError(message: "\(call): \(role) has an empty dimension (shape \(tensor.shape))")
        }
        guard tensor.dtype.isFloatingPoint else {
            throw AutoencoderError(message: "\(call): \(role) has dtype \(tensor.dtype); expected f32, f16 or bf16")
        }
    }
}

/// The error type's name before `AutoencoderTiny` shared it.
public typealias AutoencoderKLError = AutoencoderError

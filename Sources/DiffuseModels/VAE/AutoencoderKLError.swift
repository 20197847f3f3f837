import DiffuseCore

/// A tensor passed to `AutoencoderKL.encode` / `decode` that the model cannot take (wrong rank,
/// channel count or dtype). Names the argument, what was given and what is expected.
public struct AutoencoderKLError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }

    /// `tensor` must be a floating [B, channels, H, W] tensor with B, H, W ≥ 1.
    static func checkImageLike(_ tensor: Tensor, role: String, channels: Int, method: String) throws {
        let expected = "[batch, \(channels), height, width]"
        guard tensor.rank == 4 else {
            throw AutoencoderKLError(message: "AutoencoderKL.\(method): \(role) has shape \(tensor.shape); expected \(expected)")
        }
        guard tensor.size(1) == channels else {
            throw AutoencoderKLError(message: "AutoencoderKL.\(method): \(role) has \(tensor.size(1)) channels "
                                     + "(shape \(tensor.shape)); this VAE expects \(expected)")
        }
        guard tensor.shape.allSatisfy({ $0 >= 1 }) else {
            throw AutoencoderKLError(message: "AutoencoderKL.\(method): \(role) has an empty dimension (shape \(tensor.shape))")
        }
        guard tensor.dtype.isFloatingPoint else {
            throw AutoencoderKLError(message: "AutoencoderKL.\(method): \(role) has dtype \(tensor.dtype); expected f32, f16 or bf16")
        }
    }
}

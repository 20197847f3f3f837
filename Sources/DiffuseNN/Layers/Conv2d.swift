import DiffuseCore

/// `torch.nn.Conv2d` (square kernel, symmetric padding). Keys `weight` [out, in, k, k], `bias` [out].
public struct Conv2d: Sendable {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Int
    public let backend: any Backend

    public init(_ scope: WeightScope, inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1,
                padding: Int = 0, bias: Bool = true) {
        weight = scope.tensor("weight", shape: [outChannels, inChannels, kernel, kernel])
        self.bias = bias ? scope.tensor("bias", shape: [outChannels]) : nil
        self.stride = stride
        self.padding = padding
        backend = scope.backend
    }

    /// x: [N, in, H, W] → [N, out, H', W'].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        backend.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }
}

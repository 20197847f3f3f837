import DiffuseCore

/// `torch.nn.GroupNorm` (affine). Keys `weight`, `bias` [C]. `callAsFunction(x, silu: true)` fuses the
/// SiLU that follows almost every GroupNorm in the UNet and VAE.
public struct GroupNorm: Sendable {
    public let groups: Int
    public let eps: Float
    public let weight: Tensor
    public let bias: Tensor
    public let backend: any Backend

    public init(_ scope: WeightScope, groups: Int, channels: Int, eps: Float = 1e-5) {
        require(channels % groups == 0, "GroupNorm \(scope.path): \(channels) channels do not split into \(groups) groups")
        self.groups = groups
        self.eps = eps
        weight = scope.tensor("weight", shape: [channels])
        bias = scope.tensor("bias", shape: [channels])
        backend = scope.backend
    }

    /// x: [N, C, *] → same shape.
    public func callAsFunction(_ x: Tensor, silu: Bool = false) -> Tensor {
        backend.groupNorm(x, groups: groups, weight: weight, bias: bias, eps: eps, fusedSiLU: silu)
    }
}

/// `torch.nn.LayerNorm` over the last dimension. Keys `weight`, `bias` [D].
public struct LayerNorm: Sendable {
    public let eps: Float
    public let weight: Tensor
    public let bias: Tensor
    public let backend: any Backend

    public init(_ scope: WeightScope, dim: Int, eps: Float = 1e-5) {
        self.eps = eps
        weight = scope.tensor("weight", shape: [dim])
        bias = scope.tensor("bias", shape: [dim])
        backend = scope.backend
    }

    /// x: [..., D] → same shape.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        backend.layerNorm(x, weight: weight, bias: bias, eps: eps)
    }
}

/// `torch.nn.Embedding`. Key `weight` [V, D].
public struct Embedding: Sendable {
    public let weight: Tensor
    public let backend: any Backend

    public init(_ scope: WeightScope, count: Int, dim: Int) {
        weight = scope.tensor("weight", shape: [count, dim])
        backend = scope.backend
    }

    /// ids: integer tensor of shape S → [S..., D].
    public func callAsFunction(_ ids: Tensor) -> Tensor { backend.embedding(weight, ids: ids) }
}

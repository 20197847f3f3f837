import DiffuseCore

/// `torch.nn.Linear`: y = x·Wᵀ + b. Checkpoint keys `weight` [out, in] and `bias` [out].
public struct Linear: Sendable {
    public let weight: Tensor
    public let bias: Tensor?
    public let backend: any Backend

    public init(_ scope: WeightScope, inFeatures: Int, outFeatures: Int, bias: Bool = true) {
        weight = scope.tensor("weight", shape: [outFeatures, inFeatures])
        self.bias = bias ? scope.tensor("bias", shape: [outFeatures]) : nil
        backend = scope.backend
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// x: [..., in] → [..., out].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        require(x.shape.last == inFeatures, "Linear: input \(x.shape) does not end in \(inFeatures) features")
        let y = backend.matmul(x, weight, transposeB: true)
        return bias.map { backend.add(y, $0) } ?? y
    }
}

/// A stored tensor and how the model's tensor is cut from it.
public struct StoredTensorRef: Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var transform: WeightTransform

    public init(_ key: String, _ transform: WeightTransform = .identity) {
        self.key = key
        self.transform = transform
    }

    public var description: String {
        switch transform {
        case .identity: return key
        case .chunk(let index, let parts): return "\(key) (part \(index + 1) of \(parts) along dim 0)"
        case .squeezeTrailing: return "\(key) (1×1 conv weight as linear)"
        case .transpose: return "\(key) (transposed)"
        }
    }
}

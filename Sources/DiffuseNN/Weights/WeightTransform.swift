import DiffuseCore

/// The reshapes a renamed checkpoint needs; all are views of the stored tensor (no copy; `transpose`'s
/// view is strided, and `WeightStore` hands it out as a row-major copy).
public enum WeightTransform: Sendable, Equatable {
    case identity
    /// Part `index` of `parts` equal pieces along dimension 0, e.g. OpenCLIP's fused
    /// `in_proj_weight` [3C, C] → q / k / v [C, C].
    case chunk(index: Int, parts: Int)
    /// Trailing size-1 dimensions dropped: a 1×1 conv weight [C, C, 1, 1] → a linear weight [C, C].
    case squeezeTrailing
    /// A matrix's two dimensions swapped: OpenCLIP's `text_projection` [hidden, projection] (applied as
    /// `x @ P`) → a linear weight [projection, hidden].
    case transpose

    /// The model-side shape for a stored shape; nil when the stored shape cannot be cut this way.
    public func shape(from stored: [Int]) -> [Int]? {
        switch self {
        case .identity:
            return stored
        case .chunk(let index, let parts):
            guard let first = stored.first, parts > 0, index < parts, first % parts == 0 else { return nil }
            return [first / parts] + stored.dropFirst()
        case .squeezeTrailing:
            var shape = stored
            while shape.count > 2, shape.last == 1 { shape.removeLast() }
            return shape
        case .transpose:
            return stored.count == 2 ? [stored[1], stored[0]] : nil
        }
    }

    /// The model's tensor as a view of the stored one (`shape(from:)` must have succeeded).
    public func apply(_ tensor: Tensor) -> Tensor {
        switch self {
        case .identity:
            return tensor
        case .chunk(let index, let parts):
            let size = tensor.shape[0] / parts
            return tensor.sliced(dim: 0, index * size ..< (index + 1) * size)
        case .squeezeTrailing:
            return tensor.reshaped(shape(from: tensor.shape)!)
        case .transpose:
            return tensor.transposed()
        }
    }
}

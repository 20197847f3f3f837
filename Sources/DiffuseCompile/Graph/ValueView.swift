import DiffuseCore

/// A tensor as a node sees it: a view (dtype, shape, strides, offset) of a value's storage. Replays
/// rebuild the same view over the storage the value has in that replay.
public struct ValueView: Hashable, Sendable {
    public var value: ValueID
    public var dtype: DType
    public var shape: [Int]
    public var strides: [Int]
    public var offset: Int

    public init(_ value: ValueID, of tensor: Tensor) {
        self.value = value
        dtype = tensor.dtype
        shape = tensor.shape
        strides = tensor.strides
        offset = tensor.offset
    }

    public init(_ value: ValueID, dtype: DType, shape: [Int], strides: [Int]? = nil, offset: Int = 0) {
        self.value = value
        self.dtype = dtype
        self.shape = shape
        self.strides = strides ?? Tensor.contiguousStrides(for: shape)
        self.offset = offset
    }

    /// The view over `storage`.
    public func tensor(over storage: Storage) -> Tensor {
        Tensor(storage: storage, dtype: dtype, shape: shape, strides: strides, offset: offset)
    }

    /// True when this is the plain row-major view at offset 0 of shape `shape` (what a backend op returns).
    public func isStandard(shape expected: [Int]) -> Bool {
        shape == expected && offset == 0 && strides == Tensor.contiguousStrides(for: shape)
    }
}

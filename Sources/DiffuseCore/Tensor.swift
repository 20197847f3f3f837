/// An n-dimensional array: a dtype, a shape, strides (in elements) and an offset into a `Storage`.
///
/// Storage is a buffer on a device (`Storage.device`). Views (`reshaped`, `permuted`, `transposed`,
/// `sliced`, …) share storage and cost nothing; copies are backend ops (`Backend.contiguous`, `cast`). A tensor whose storage is a memory-mapped file
/// is read-only: kernels write only into tensors they allocated.
public struct Tensor: @unchecked Sendable {
    public let storage: Storage
    public let dtype: DType
    public let shape: [Int]
    /// Element strides, one per dimension.
    public let strides: [Int]
    /// Offset of element [0, 0, …] in elements from `storage.base`.
    public let offset: Int

    /// A view of existing storage. Checks that every addressable element lies inside the storage.
    public init(storage: Storage, dtype: DType, shape: [Int], strides: [Int]? = nil, offset: Int = 0) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let strides = strides ?? Tensor.contiguousStrides(for: shape)
        require(strides.count == shape.count,
                     "Tensor: \(strides.count) strides for a shape of rank \(shape.count)")
        if !shape.contains(0) {
            var lowest = offset, highest = offset
            for (size, stride) in zip(shape, strides) {
                if stride >= 0 { highest += (size - 1) * stride } else { lowest += (size - 1) * stride }
            }
            require(lowest >= 0 && (highest + 1) * dtype.byteSize <= storage.byteCount,
                         "Tensor: view of shape \(shape) strides \(strides) offset \(offset) exceeds its storage of \(storage.byteCount) bytes")
        }
        self.storage = storage
        self.dtype = dtype
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A new zero-filled, contiguous tensor.
    public init(zeros shape: [Int], dtype: DType = .f32) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        self.init(storage: Storage(byteCount: count * dtype.byteSize), dtype: dtype, shape: shape)
    }

    /// A new contiguous tensor whose contents are undefined: for outputs that a kernel overwrites entirely.
    public init(uninitialized shape: [Int], dtype: DType = .f32) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let count = shape.reduce(1, *)
        self.init(storage: Storage(byteCount: count * dtype.byteSize, zeroed: false), dtype: dtype, shape: shape)
    }

    /// A new f32 tensor holding `values` in row-major order.
    public init(_ values: [Float], shape: [Int]) {
        require(values.count == shape.reduce(1, *),
                     "Tensor: \(values.count) values do not fill shape \(shape) (\(shape.reduce(1, *)) elements)")
        self.init(zeros: shape, dtype: .f32)
        values.withUnsafeBufferPointer { source in
            storage.base.copyMemory(from: source.baseAddress!, byteCount: values.count * 4)
        }
    }

    /// A new tensor of integer ids (i32 or i64) holding `values`.
    public init(ids values: [Int], shape: [Int], dtype: DType = .i64) {
        require(dtype == .i32 || dtype == .i64, "Tensor(ids:): dtype must be i32 or i64, got \(dtype)")
        require(values.count == shape.reduce(1, *),
                     "Tensor: \(values.count) ids do not fill shape \(shape)")
        self.init(zeros: shape, dtype: dtype)
        for (i, v) in values.enumerated() {
            if dtype == .i64 { storage.base.storeBytes(of: Int64(v), toByteOffset: i * 8, as: Int64.self) }
            else { storage.base.storeBytes(of: Int32(truncatingIfNeeded: v), toByteOffset: i * 4, as: Int32.self) }
        }
    }

    // MARK: Facts

    public var rank: Int { shape.count }
    public var count: Int { shape.reduce(1, *) }
    public var byteCount: Int { count * dtype.byteSize }

    /// Size of dimension `dim`; negative counts from the end.
    public func size(_ dim: Int) -> Int { shape[normalized(dim)] }

    /// True when the elements are laid out row-major with no gaps (sizes-1 dimensions ignored).
    public var isContiguous: Bool {
        var expected = 1
        for d in stride(from: rank - 1, through: 0, by: -1) where shape[d] != 1 {
            if strides[d] != expected { return false }
            expected *= shape[d]
        }
        return true
    }

    /// Address of element [0, 0, …].
    public var rawPointer: UnsafeMutableRawPointer { storage.base + offset * dtype.byteSize }

    /// Typed pointer to element [0, 0, …]. The caller must respect `strides` unless `isContiguous`.
    public func pointer<T>(as type: T.Type) -> UnsafeMutablePointer<T> {
        require(MemoryLayout<T>.stride == dtype.byteSize,
                     "Tensor.pointer: \(T.self) does not match dtype \(dtype)")
        return rawPointer.assumingMemoryBound(to: T.self)
    }

    public static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = running
            running *= max(shape[d], 1)
        }
        return strides
    }

    /// Turns a possibly negative dimension index into 0..<rank, with a readable failure.
    public func normalized(_ dim: Int) -> Int {
        let d = dim < 0 ? dim + rank : dim
        require(d >= 0 && d < rank, "Tensor: dimension \(dim) out of range for shape \(shape)")
        return d
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String { "Tensor(\(dtype), \(shape))" }
}

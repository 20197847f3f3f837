/// Host-side copies for the kernels of host backends and for reading results: row-major copies, dtype
/// conversion, element access. They address host memory (`Storage.base`), so a tensor on a non-host
/// device stops them: code above the backends copies with `Backend.contiguous` / `Backend.cast` and reads
/// values through the transfer API (`toHost()`, `floats()`).
extension Tensor {
    /// A row-major host copy, or `self` when already contiguous.
    public func hostContiguous() -> Tensor {
        if isContiguous { return self }
        let out = Tensor(uninitialized: shape, dtype: dtype)
        copyStrided(to: out.rawPointer)
        return out
    }

    /// Writes the elements in row-major order to `destination` (no conversion).
    public func copyStrided(to destination: UnsafeMutableRawPointer) {
        let elementSize = dtype.byteSize
        if count == 0 { return }
        if isContiguous {
            destination.copyMemory(from: rawPointer, byteCount: count * elementSize)
            return
        }
        // Walk every index but the last; copy the last dimension as a run.
        let innerSize = shape[rank - 1], innerStride = strides[rank - 1]
        let outerRank = rank - 1
        var index = [Int](repeating: 0, count: outerRank)
        var written = 0
        let source = rawPointer
        while true {
            var elementOffset = 0
            for d in 0..<outerRank { elementOffset += index[d] * strides[d] }
            let from = source + elementOffset * elementSize
            let to = destination + written * elementSize
            if innerStride == 1 {
                to.copyMemory(from: from, byteCount: innerSize * elementSize)
            } else {
                switch elementSize {
                case 2: copyRun(UInt16.self, from, to, innerSize, innerStride)
                case 4: copyRun(UInt32.self, from, to, innerSize, innerStride)
                default: copyRun(UInt64.self, from, to, innerSize, innerStride)
                }
            }
            written += innerSize
            var d = outerRank - 1
            while d >= 0 {
                index[d] += 1
                if index[d] < shape[d] { break }
                index[d] = 0
                d -= 1
            }
            if d < 0 { break }
        }
    }

    /// A contiguous host copy in another dtype (or `self` when the dtype and layout already match).
    /// Floats → bf16 round to nearest even; floats → integers truncate toward zero.
    public func hostConverted(to target: DType) -> Tensor {
        let source = hostContiguous()
        if target == dtype { return source }
        let out = Tensor(uninitialized: shape, dtype: target)
        let n = count
        // Convert through Float (floats) or Int64 (integers) with one tight loop per pair.
        switch (dtype, target) {
        case (.f32, .f16):
            convert(source.pointer(as: Float.self), out.pointer(as: Float16.self), n) { Float16($0) }
        case (.f16, .f32):
            convert(source.pointer(as: Float16.self), out.pointer(as: Float.self), n) { Float($0) }
        case (.f32, .bf16):
            convert(source.pointer(as: Float.self), out.pointer(as: UInt16.self), n) { BFloat16.bits(from: $0) }
        case (.bf16, .f32):
            convert(source.pointer(as: UInt16.self), out.pointer(as: Float.self), n) { BFloat16.float(fromBits: $0) }
        case (.f16, .bf16):
            convert(source.pointer(as: Float16.self), out.pointer(as: UInt16.self), n) { BFloat16.bits(from: Float($0)) }
        case (.bf16, .f16):
            convert(source.pointer(as: UInt16.self), out.pointer(as: Float16.self), n) { Float16(BFloat16.float(fromBits: $0)) }
        default:
            // Rare combinations involving integers: go through Double element by element.
            for i in 0..<n { out.setScalar(source.scalar(atFlat: i), atFlat: i) }
        }
        return out
    }

    /// All elements as `Float`, row-major — downloaded first when the tensor is on a non-host device
    /// (a transfer).
    public func floats() -> [Float] {
        let f = toHost().hostConverted(to: .f32)
        return Array(UnsafeBufferPointer(start: f.pointer(as: Float.self), count: count))
    }

    /// Element at a row-major flat index of a *contiguous* tensor, as Double (any dtype).
    public func scalar(atFlat i: Int) -> Double {
        let p = rawPointer
        switch dtype {
        case .f32: return Double(p.load(fromByteOffset: i * 4, as: Float.self))
        case .f16: return Double(p.load(fromByteOffset: i * 2, as: Float16.self))
        case .bf16: return Double(BFloat16.float(fromBits: p.load(fromByteOffset: i * 2, as: UInt16.self)))
        case .i32: return Double(p.load(fromByteOffset: i * 4, as: Int32.self))
        case .i64: return Double(p.load(fromByteOffset: i * 8, as: Int64.self))
        }
    }

    /// Stores a value at a row-major flat index of a *contiguous*, owned tensor.
    public func setScalar(_ v: Double, atFlat i: Int) {
        require(storage.kind == .owned, "Tensor: cannot write into memory-mapped (read-only) storage")
        let p = rawPointer
        switch dtype {
        case .f32: p.storeBytes(of: Float(v), toByteOffset: i * 4, as: Float.self)
        case .f16: p.storeBytes(of: Float16(Float(v)), toByteOffset: i * 2, as: Float16.self)
        case .bf16: p.storeBytes(of: BFloat16.bits(from: Float(v)), toByteOffset: i * 2, as: UInt16.self)
        case .i32: p.storeBytes(of: Int32(v), toByteOffset: i * 4, as: Int32.self)
        case .i64: p.storeBytes(of: Int64(v), toByteOffset: i * 8, as: Int64.self)
        }
    }

    /// Element at a multi-index (any layout), as Double. For tests and debugging, not hot loops.
    public subscript(_ index: Int...) -> Double {
        require(index.count == rank, "Tensor subscript: \(index.count) indices for shape \(shape)")
        var flat = 0
        for d in 0..<rank {
            require(index[d] >= 0 && index[d] < shape[d], "Tensor subscript: index \(index) outside \(shape)")
            flat += index[d] * strides[d]
        }
        return Tensor(storage: storage, dtype: dtype, shape: [1], offset: offset + flat).scalar(atFlat: 0)
    }
}

@inline(__always)
private func copyRun<T>(_: T.Type, _ from: UnsafeMutableRawPointer, _ to: UnsafeMutableRawPointer, _ n: Int, _ stride: Int) {
    let s = from.assumingMemoryBound(to: T.self), d = to.assumingMemoryBound(to: T.self)
    for i in 0..<n { d[i] = s[i * stride] }
}

@inline(__always)
private func convert<S, D>(_ s: UnsafeMutablePointer<S>, _ d: UnsafeMutablePointer<D>, _ n: Int, _ f: (S) -> D) {
    for i in 0..<n { d[i] = f(s[i]) }
}

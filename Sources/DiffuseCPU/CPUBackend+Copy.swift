import DiffuseCore

/// Data movement on the host: the copy, cast, pad and fill ops (`Op.contiguous`, `.cast`, `.pad2D`, `.fill`).
extension CPUBackend {
    /// A row-major copy in a new buffer (even when `x` is contiguous already: a copy is a new value).
    public func copy(_ x: Tensor) -> Tensor {
        let out = Tensor(uninitialized: x.shape, dtype: x.dtype)
        x.copyStrided(to: out.rawPointer)
        return out
    }

    /// A contiguous copy in `dtype` (`x` itself when dtype and layout already match).
    public func cast(_ x: Tensor, to dtype: DType) -> Tensor { x.hostConverted(to: dtype) }

    /// Zero padding of NCHW: `F.pad(x, (left, right, top, bottom))`, x's dtype.
    public func pad2D(_ x: Tensor, left: Int, right: Int, top: Int, bottom: Int) -> Tensor {
        require(x.rank == 4, "pad2D: expected an NCHW tensor, got \(x.shape)")
        require(min(left, right, top, bottom) >= 0, "pad2D: negative padding (\(left), \(right), \(top), \(bottom))")
        let (h, w) = (x.shape[2], x.shape[3])
        let out = Tensor(zeros: [x.shape[0], x.shape[1], h + top + bottom, w + left + right], dtype: x.dtype)
        out.sliced(dim: 2, top..<(top + h)).sliced(dim: 3, left..<(left + w)).assign(x)
        return out
    }

    /// A new tensor of `shape` with every element `value` (converted to `dtype`).
    public func fill(_ shape: [Int], dtype: DType, value: Float) -> Tensor {
        require(shape.allSatisfy { $0 >= 0 }, "fill: negative dimension in shape \(shape)")
        if value == 0 { return Tensor(zeros: shape, dtype: dtype) }
        let out = Tensor(uninitialized: shape, dtype: dtype)
        let n = out.count
        switch dtype {
        case .f32: out.pointer(as: Float.self).update(repeating: value, count: n)
        case .f16: out.pointer(as: Float16.self).update(repeating: Float16(value), count: n)
        case .bf16: out.pointer(as: UInt16.self).update(repeating: BFloat16.bits(from: value), count: n)
        case .i32: out.pointer(as: Int32.self).update(repeating: Int32(value), count: n)
        case .i64: out.pointer(as: Int64.self).update(repeating: Int64(value), count: n)
        }
        return out
    }
}

import DiffuseCore

/// A matrix operand of the f32 GEMM taken from a tensor of any float dtype without converting it:
/// f32 as a `StridedMatrix`, f16 / bf16 as a `HalfMatrix` (converted as it is packed).
enum GEMMOperand: @unchecked Sendable {
    case f32(StridedMatrix)
    case half(HalfMatrix)

    /// op(X)[i, j] = x.storage[offset + i · rowStride + j · columnStride] (strides in elements).
    init(_ x: Tensor, offset: Int = 0, rowStride: Int, columnStride: Int) {
        switch x.dtype {
        case .f32:
            self = .f32(StridedMatrix(base: UnsafePointer(x.pointer(as: Float.self)) + offset, rowStride: rowStride,
                                      columnStride: columnStride))
        case .f16, .bf16:
            self = .half(HalfMatrix(base: UnsafePointer(x.pointer(as: UInt16.self)) + offset, rowStride: rowStride,
                                    columnStride: columnStride, format: x.dtype == .f16 ? .f16 : .bf16))
        default:
            fatalError("GEMMOperand: \(x.dtype) is not a float dtype")
        }
    }
}

extension GEMMOperand {
    /// Element [i, j] as f32.
    @inline(__always)
    subscript(i: Int, j: Int) -> Float {
        switch self {
        case .f32(let m): m[i, j]
        case .half(let m): m[i, j]
        }
    }
}

extension GEMMDriver {
    /// `runMatrix` on operands of any float dtype (specialised per pair).
    static func runMatrix(m: Int, n: Int, k: Int, alpha: Float, a: GEMMOperand, b: GEMMOperand, beta: Float,
                          c: OutputMatrix, threads: Int) {
        switch (a, b) {
        case let (.f32(a), .f32(b)):
            runMatrix(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, threads: threads)
        case let (.f32(a), .half(b)):
            runMatrix(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, threads: threads)
        case let (.half(a), .f32(b)):
            runMatrix(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, threads: threads)
        case let (.half(a), .half(b)):
            runMatrix(m: m, n: n, k: k, alpha: alpha, a: a, b: b, beta: beta, c: c, threads: threads)
        }
    }
}

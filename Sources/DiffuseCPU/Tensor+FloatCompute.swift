import DiffuseCore

/// How the elementwise, norm and attention ops get f32 data to compute on and hand results back in the
/// caller's dtype: f16/bf16 inputs are converted to a contiguous f32 copy up front. Weights do not come
/// this way: `PrecisionPolicy` (DiffusePipeline) keeps vectors in f32, and the matrix ops read 16-bit
/// weights in place (`HalfMatrix`).
extension Tensor {
    /// Stops unless the tensor holds floats, naming the op.
    func requireFloating(_ op: String) {
        require(dtype.isFloatingPoint, "\(op): expected a floating-point tensor (f32, f16, bf16), got \(dtype) \(shape)")
    }

    /// Contiguous f32 data: `self` when it already is, else a converted copy.
    func contiguousF32(for op: String) -> Tensor {
        requireFloating(op)
        return hostConverted(to: .f32)
    }

    /// f32 data in any layout (no copy for f32 views; f16/bf16 become a contiguous f32 copy).
    func f32(for op: String) -> Tensor {
        requireFloating(op)
        return dtype == .f32 ? self : hostConverted(to: .f32)
    }

    /// A freshly allocated result converted to `dtype` (no copy when it is f32 already).
    func finished(as dtype: DType) -> Tensor {
        self.dtype == dtype ? self : hostConverted(to: dtype)
    }

    /// Read-only float pointer of an f32 tensor (respect `strides` unless contiguous).
    var floatPointer: UnsafePointer<Float> { UnsafePointer(pointer(as: Float.self)) }

    /// Writable float pointer of an f32 tensor this process allocated.
    var mutableFloatPointer: UnsafeMutablePointer<Float> { pointer(as: Float.self) }
}

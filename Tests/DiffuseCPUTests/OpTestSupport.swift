import DiffuseCore
import DiffuseTestSupport

/// Inputs and tolerances shared by the op tests.
///
/// Every reference is a plain Double loop over the *input values as stored* (after rounding to the input
/// dtype), so the comparison measures only the op's own error plus the rounding of its output:
/// - f32 output: the kernels' f32 arithmetic and vector math, ~1e-7 relative per step; tests use 1e-5-ish
///   tolerances (stated per test with the reason).
/// - f16 output: rounding to 11 significant bits costs up to 2⁻¹¹ ≈ 4.9e-4 relative → rtol 1e-3.
/// - bf16 output: 8 significant bits, up to 2⁻⁸ ≈ 3.9e-3 relative → rtol 8e-3.
enum OpTestSupport {
    /// A tensor of uniform values in [−scale, scale) + shift, stored in `dtype`.
    static func random(_ shape: [Int], dtype: DType = .f32, seed: UInt64, scale: Float = 1, shift: Float = 0) -> Tensor {
        var rng = TestRandom(seed: seed)
        let values = rng.floats(shape.reduce(1, *), scale: scale).map { $0 + shift }
        return Tensor(values, shape: shape).hostConverted(to: dtype)
    }

    /// The stored values (any dtype, any layout) as Doubles in row-major order.
    static func doubles(_ t: Tensor) -> [Double] {
        let c = t.hostContiguous()
        return (0..<c.count).map { c.scalar(atFlat: $0) }
    }

    /// The output-rounding tolerance for `dtype` on top of an f32 tolerance (see the type's comment).
    static func tolerance(_ dtype: DType, f32 rtol: Double, atol: Double) -> (rtol: Double, atol: Double) {
        switch dtype {
        case .f16: (max(rtol, 1e-3), max(atol, 1e-5))
        case .bf16: (max(rtol, 8e-3), max(atol, 1e-4))
        default: (rtol, atol)
        }
    }
}

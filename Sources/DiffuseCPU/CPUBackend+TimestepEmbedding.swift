import DiffuseCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension CPUBackend {
    /// diffusers' `get_timestep_embedding` (models/embeddings.py): timesteps [N] (f32/f16/bf16 or i32/i64,
    /// possibly fractional) → [N, dim]:
    ///   half = dim / 2, freq_i = exp(−ln(maxPeriod) · i / (half − freqShift)), arg = scale · t · freq_i,
    ///   row = [sin(arg), cos(arg)] (or [cos, sin] with `flipSinToCos`), plus one zero column when dim is odd.
    /// Each step rounds to f32 in torch's order; exp, sin and cos are evaluated in Double and rounded. Against
    /// torch (dim 320, t ≤ 999) 96% of values are bit-identical and the rest differ by ≤ 6e-5, where torch's
    /// expf rounds a frequency 1 ulp differently (then multiplied by t). Output dtype: the timesteps' dtype when
    /// floating, f32 for integer timesteps (diffusers computes in f32 and casts later).
    /// Tiny (N · dim values), so it is plain scalar code.
    public func timestepEmbedding(_ timesteps: Tensor, dim: Int, flipSinToCos: Bool, freqShift: Float,
                                  scale: Float, maxPeriod: Float) -> Tensor {
        require(timesteps.rank == 1, "timestepEmbedding: timesteps must be 1-D [N], got shape \(timesteps.shape)")
        require(dim >= 0, "timestepEmbedding: negative dim \(dim)")
        let n = timesteps.count, half = dim / 2
        let t = timesteps.hostContiguous()
        let out = Tensor(zeros: [n, dim], dtype: .f32)
        let dst = out.mutableFloatPointer
        // exponent = (−ln(max_period) · arange(half)) / (half − shift), all in f32 as torch does.
        let negLogPeriod = Float(-log(Double(maxPeriod)))
        let denominator = Float(half) - freqShift
        let frequencies = (0..<half).map { i in Float(exp(Double(negLogPeriod * Float(i) / denominator))) }
        let (sinOffset, cosOffset) = flipSinToCos ? (half, 0) : (0, half)
        for row in 0..<n {
            let value = Float(t.scalar(atFlat: row))
            for i in 0..<half {
                let arg = Double(scale * (value * frequencies[i]))
                dst[row * dim + sinOffset + i] = Float(sin(arg))
                dst[row * dim + cosOffset + i] = Float(cos(arg))
            }
        }
        return out.finished(as: timesteps.dtype.isFloatingPoint ? timesteps.dtype : .f32)
    }
}

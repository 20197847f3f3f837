import DiffuseCore

/// The merge of LoRA updates into one weight, in one place: W' = W + Σᵢ factorᵢ · upᵢ · downᵢ, where
/// factorᵢ = adapter scaleᵢ · alphaᵢ / rankᵢ. It equals what diffusers computes with the adapters active and
/// unfused (PEFT's LoRA layers: y = W x + Σᵢ scaleᵢ · (alphaᵢ / rankᵢ) · Bᵢ(Aᵢ x); a conv's A has the layer's
/// kernel, stride and padding and its B is 1×1, so B(A x) = (B·A) ⊛ x), and what `fuse_lora` writes
/// (peft/tuners/lora/layer.py `get_delta_weight`).
///
/// Shapes: W [out, in] or [out, in, kh, kw] → [out, K] (K = in·kh·kw); down [r, in(, kh, kw)] → [r, K];
/// up [out, r(, 1, 1)] → [out, r]. Computed in f32 (f16 / bf16 factors widened) (one GEMM per term, `beta = 1` onto the running sum),
/// then cast back to W's dtype, so an f16 / bf16 weight is rounded once.
public enum LoRAMerge {
    /// Whether `layer`'s update has `weightShape` (a linear weight takes 1×1 conv factors and the reverse).
    public static func fits(_ layer: LoRALayer, weightShape: [Int]) -> Bool {
        func trimmed(_ dims: ArraySlice<Int>) -> [Int] {
            var d = Array(dims)
            while d.count > 1, d.last == 1 { d.removeLast() }
            return d
        }
        guard let out = weightShape.first, layer.up.shape[0] == out else { return false }
        return trimmed(layer.down.shape.dropFirst()) == trimmed(weightShape.dropFirst())
    }

    /// W + Σ factor · up · down in W's shape and dtype (host tensors; `backend` computes on the host).
    /// Every term must fit (`fits`).
    public static func merged(_ weight: Tensor, _ terms: [(layer: LoRALayer, factor: Float)], backend: any Backend) -> Tensor {
        let out = weight.shape[0], k = weight.count / max(out, 1)
        var sum = backend.cast(weight, to: .f32).reshaped([out, k])                   // [out, K]
        for (layer, factor) in terms {
            let up = backend.cast(layer.up, to: .f32).reshaped([out, layer.rank])     // [out, r]
            let down = backend.cast(layer.down, to: .f32).reshaped([layer.rank, k])   // [r, K]
            sum = backend.matmul(up, down, alpha: factor, beta: 1, c: sum)       // sum + factor · up · down
        }
        return backend.cast(sum.reshaped(weight.shape), to: weight.dtype)
    }
}

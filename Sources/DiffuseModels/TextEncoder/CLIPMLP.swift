import DiffuseCore
import DiffuseNN

/// transformers `CLIPMLP` (models/clip/modeling_clip.py): fc1 → activation → fc2.
/// Keys `fc1.{weight,bias}` [intermediate, hidden], `fc2.{weight,bias}` [hidden, intermediate].
struct CLIPMLP: Sendable {
    let fc1: Linear
    let fc2: Linear
    let activation: Activation
    let backend: any Backend

    init(_ scope: WeightScope, config: CLIPTextConfig, activation: Activation) {
        fc1 = Linear(scope["fc1"], inFeatures: config.hiddenSize, outFeatures: config.intermediateSize)
        fc2 = Linear(scope["fc2"], inFeatures: config.intermediateSize, outFeatures: config.hiddenSize)
        self.activation = activation
        backend = scope.backend
    }

    /// x [B, L, hidden] → [B, L, hidden].
    func callAsFunction(_ x: Tensor) -> Tensor {
        let h = backend.activation(fc1(x), activation)   // [B, L, intermediate]
        return fc2(h)
    }
}

extension CLIPMLP {
    /// transformers' `ACT2FN[hidden_act]` for the names CLIP text encoders use; nil for anything else.
    /// ("gelu" is the exact erf form, as `nn.GELU()`; "quick_gelu" is x·sigmoid(1.702x).)
    static func activation(named name: String) -> Activation? {
        switch name {
        case "quick_gelu": return .quickGelu
        case "gelu": return .gelu
        default: return nil
        }
    }
}

import DiffuseCore

/// One low-rank update of one weight: ΔW = scaling · up · down, with `scaling` = alpha / rank (kohya's
/// `alpha`, PEFT's `lora_alpha`; rank = down's first dimension).
///
///     linear: down [r, in],          up [out, r]          ΔW [out, in]
///     conv:   down [r, in, kh, kw],  up [out, r, 1, 1]    ΔW [out, in, kh, kw] (LoCon; the down conv has the
///                                                          layer's kernel, stride and padding, the up is 1×1)
public struct LoRALayer: @unchecked Sendable {
    /// The model the weight belongs to.
    public let component: SingleFileCheckpoint.Component
    /// The diffusers module path of the layer (`down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q`);
    /// text encoders' without the `text_model.` some checkpoints put in front.
    public let module: String
    /// As stored (f32, f16 or bf16; host views of the memory-mapped file), widened to f32 only while merged.
    public let down: Tensor
    public let up: Tensor
    /// alpha / rank (1 when the file gives no alpha).
    public let scaling: Float
    /// The file's key of `down` (for messages).
    public let sourceKey: String

    public init(component: SingleFileCheckpoint.Component, module: String, down: Tensor, up: Tensor, scaling: Float,
                sourceKey: String) {
        self.component = component
        self.module = module
        self.down = down
        self.up = up
        self.scaling = scaling
        self.sourceKey = sourceKey
    }

    public var rank: Int { down.shape[0] }

    /// The model key of the weight this layer updates.
    public var weightKey: String { module + ".weight" }
}

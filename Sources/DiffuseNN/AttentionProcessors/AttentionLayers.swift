/// A model made of `Attention` layers (UNet, VAE, text encoder) whose processors can be listed and set,
/// like diffusers' `attn_processors` / `set_attn_processor`.
public protocol AttentionLayers {
    /// Every attention layer, in module order.
    var attentionLayers: [Attention] { get }
}

extension AttentionLayers {
    /// Layer name → processor name, e.g. `down_blocks.0.attentions.0.transformer_blocks.0.attn1: sdpa`.
    public var attentionProcessors: [(layer: String, processor: String)] {
        attentionLayers.map { ($0.name, $0.processor.name) }
    }

    /// Sets `processor` on every layer, or only on the named layers (diffusers-style names, or a prefix
    /// of them ending in "." such as `down_blocks.1.`). Unknown names are an error that lists what exists.
    public func setAttentionProcessor(_ processor: any AttentionProcessor, layers: [String]? = nil) throws {
        let all = attentionLayers
        guard let layers else {
            all.forEach { $0.processor = processor }
            return
        }
        for wanted in layers {
            let matches = all.filter { $0.name == wanted || (wanted.hasSuffix(".") && $0.name.hasPrefix(wanted)) }
            guard !matches.isEmpty else {
                throw AttentionLayerError(name: wanted, known: all.map(\.name))
            }
            matches.forEach { $0.processor = processor }
        }
    }
}

/// An attention layer name that does not exist in the model.
public struct AttentionLayerError: Error, CustomStringConvertible {
    public let name: String
    public let known: [String]
    public var description: String {
        "no attention layer named \(name); this model has \(known.count): "
            + known.prefix(6).joined(separator: ", ") + (known.count > 6 ? ", …" : "")
    }
}

/// Which weight each pair of a `LoRAFile` updates, and by how much (alpha / rank).
extension LoRAFile {
    /// The file's layers with their diffusers module paths, and the down keys of pairs that name no
    /// module (reported as unmatched). `unetLayersPerBlock` renames kohya's SGM block names (SDXL
    /// LoRAs, `SGMBlockMapping`); nil leaves them as they are.
    public func layers(unetLayersPerBlock: Int? = nil) -> (layers: [LoRALayer], unmapped: [String]) {
        var renamed: [String: String?] = [:]
        if format == .kohya, let layersPerBlock = unetLayersPerBlock {
            renamed = SGMBlockMapping.rename(pairs.map(\.stem), layersPerBlock: layersPerBlock) ?? [:]
        }
        var layers: [LoRALayer] = [], unmapped: [String] = []
        for pair in pairs {
            let stem = renamed[pair.stem] ?? pair.stem
            guard let stem, let hit = target(of: stem) else {
                unmapped.append(pair.downKey)
                continue
            }
            let (component, module) = hit
            layers.append(LoRALayer(component: component, module: module, down: pair.down, up: pair.up,
                                    scaling: scaling(pair, component: component, module: module), sourceKey: pair.downKey))
        }
        return (layers, unmapped)
    }

    /// The component and module a layer name of this file's format stands for.
    func target(of stem: String) -> (SingleFileCheckpoint.Component, String)? {
        switch format {
        case .kohya:
            if stem.hasPrefix("lora_unet_") { return KohyaLoRAKeys.unetModule(stem).map { (.unet, $0) } }
            return KohyaLoRAKeys.textEncoderModule(stem)
        case .peft:
            guard let prefixed = Self.componentPrefix(stem) else { return nil }
            let (component, module) = prefixed
            return (component, component == .unet ? module : KohyaLoRAKeys.withoutTextModel(module))
        case .diffusersLegacy:
            guard let prefixed = Self.componentPrefix(stem) else { return nil }
            let (component, module) = prefixed
            let key = module + ".down.weight"
            if component == .unet { return KohyaLoRAKeys.peftUNetModule(key).map { (.unet, $0) } }
            return KohyaLoRAKeys.textEncoderModule(diffusersKey: key).map { (component, $0) }
        }
    }

    /// `unet.` / `text_encoder.` / `text_encoder_2.` and the rest of the name (diffusers' `save_lora_weights` prefixes).
    static func componentPrefix(_ stem: String) -> (SingleFileCheckpoint.Component, String)? {
        for component in [SingleFileCheckpoint.Component.unet, .textEncoder, .textEncoder2]
            where stem.hasPrefix(component.rawValue + ".") {
            return (component, String(stem.dropFirst(component.rawValue.count + 1)))
        }
        return nil
    }

    /// alpha / rank: kohya's `alpha` tensor of the layer (none: 1); PEFT's `lora_alpha` / `alpha_pattern` from the
    /// metadata header (none: alpha = rank, diffusers' `get_peft_kwargs` without alphas); 1 for the older
    /// diffusers formats.
    func scaling(_ pair: Pair, component: SingleFileCheckpoint.Component, module: String) -> Float {
        let rank = pair.down.shape[0]
        switch format {
        case .kohya:
            // Each layer's own alpha, as kohya-ss and A1111 apply it. diffusers 0.42 agrees when a file has one
            // alpha for all layers (the usual case); when they differ it gives attention and text-encoder
            // layers the most common alpha instead (its `alpha_pattern` keys for them name no module).
            return pair.alpha.map { $0 / Float(rank) } ?? 1
        case .peft:
            let names = component == .unet ? [module] : [module, "text_model." + module]
            return adapterConfig?.scaling(component: component.rawValue, modules: names, rank: rank) ?? 1
        case .diffusersLegacy:
            return 1
        }
    }
}

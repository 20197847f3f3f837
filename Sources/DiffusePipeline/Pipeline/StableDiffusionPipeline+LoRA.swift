import DiffuseCompile
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseSources

/// LoRA adapters, applied as diffusers' `load_lora_weights` + `set_adapters(names, adapter_weights=…)`
/// (loaders/lora_pipeline.py) would apply them, but merged into the weights once instead of run beside
/// them at every step: each touched weight becomes W + Σ scale · (alpha / rank) · up · down (`LoRAMerge`,
/// computed in f32 and cast back to the weight's dtype). The UNet, the text encoders and the stages that
/// hold them are rebuilt from the unchanged base weight stores (`LoRAOverlay`); untouched weights stay the
/// same memory-mapped views, no file is read again and nothing is written in place, so adapters can be
/// switched or removed per request.
extension StableDiffusionPipeline {
    /// Replaces the current LoRA adapters with `adapters` (empty: the model's own weights again) and
    /// returns warnings for files that only partly match the model (their unmatched keys, counted and
    /// named). Only the components the old or new adapters touch are rebuilt (with `compile`, the compiled
    /// UNet too).
    ///
    /// Throws a `LoRAError` naming the file when none of a file's layers matches a weight of this model
    /// (a few of its keys in the message), or when a layer's shape does not fit its weight; the pipeline
    /// then keeps its previous adapters. Not while a generation is running on this pipeline.
    @discardableResult
    public func setLoRAs(_ adapters: [LoRAAdapter]) throws -> [String] {
        let layersPerBlock = unet.config.layersPerBlockList.first
        let resolved = adapters.map { ($0, $0.file.layers(unetLayersPerBlock: layersPerBlock)) }
        let sets: [LoRAOverlay.Adapter] = resolved.map { ($0.1.layers, $0.0.scale) }
        let touched = Set(sets.flatMap { $0.layers.map(\.component) }).intersection(baseWeights.keys)
        // The merge computes on host tensors: the caller's backend (its threads) when it is the host's.
        let merger: any Backend = baseBackend.device.isHost ? baseBackend : CPUBackend()
        var overlays: [SingleFileCheckpoint.Component: LoRAOverlay] = [:]
        var (newUNet, newCompiled, newText, newText2) = (unet, compiledUNet, textEncoder, textEncoder2)
        for component in touched.union(loraComponents) {
            guard let base = baseWeights[component] else { continue }
            let overlay = LoRAOverlay(component: component, adapters: sets, backend: merger)
            overlays[component] = overlay
            let weights = base.overlaid(by: overlay)
            switch component {
            case .unet:
                (newUNet, newCompiled) = try Self.makeUNet(folder, weights: weights, backend: backend, compile: compiles)
            case .textEncoder:
                newText = try Self.makeTextEncoder(folder, .textEncoder, weights: weights, policy: policy, on: baseBackend)
            case .textEncoder2:
                newText2 = try Self.makeTextEncoder(folder, .textEncoder2, weights: weights, policy: policy, on: baseBackend)
            case .vae:
                continue
            }
        }
        var warnings: [String] = []
        for (adapter, layers) in resolved {
            if let warning = try Self.matchReport(adapter.file, layers: layers.layers, unmapped: layers.unmapped, overlays: overlays) {
                warnings.append(warning)
            }
        }
        if let processor = attentionProcessor {
            try newUNet.setAttentionProcessor(processor)
            try newText?.setAttentionProcessor(processor)
            try newText2?.setAttentionProcessor(processor)
        }
        install(unet: newUNet, compiledUNet: newCompiled, textEncoder: newText, textEncoder2: newText2)
        loras = adapters
        loraComponents = touched
        return warnings
    }

    /// Reads `paths` with their scales and applies them (`setLoRAs`).
    @discardableResult
    public func setLoRAs(paths: [(path: String, scale: Float)]) throws -> [String] {
        try setLoRAs(paths.map { try LoRAAdapter(path: $0.path, scale: $0.scale) })
    }

    /// nil when every key of `file` was merged; a warning counting and naming the unmatched ones when some
    /// were; throws when none was, or when a layer did not fit its weight's shape.
    static func matchReport(_ file: LoRAFile, layers: [LoRALayer], unmapped: [String],
                            overlays: [SingleFileCheckpoint.Component: LoRAOverlay]) throws -> String? {
        let misfits = overlays.values.flatMap(\.misfits).filter { misfit in layers.contains { $0.sourceKey == misfit.layer.sourceKey } }
        if !misfits.isEmpty {
            let described = misfits.prefix(3).map { misfit in
                "\(misfit.layer.sourceKey) (up \(misfit.layer.up.shape), down \(misfit.layer.down.shape)) does not fit \(misfit.layer.component.rawValue) \(misfit.layer.weightKey) \(misfit.shape)"
            }
            throw LoRAError(.mismatch, path: file.path, message: "\(misfits.count) LoRA layer(s) do not fit this model's weights: \(described.joined(separator: "; "))\(misfits.count > 3 ? " …" : ""); is it a LoRA for another model family?")
        }
        let matched = layers.filter { overlays[$0.component]?.mergedKeys.contains($0.weightKey) ?? false }
        let unmatchedLayers = layers.filter { layer in !matched.contains { $0.sourceKey == layer.sourceKey } }
        let unmatched = unmapped + unmatchedLayers.map(\.sourceKey) + file.strayKeys
        let total = layers.count + unmapped.count + file.strayKeys.count
        guard !unmatched.isEmpty else { return nil }
        guard !matched.isEmpty else {
            throw LoRAError(.mismatch, path: file.path, message: "none of its \(total) LoRA keys matches a weight of this model (\(LoRAError.sample(unmatched))); is it a LoRA for another model family?")
        }
        return "\(file.path): \(unmatched.count) of \(total) LoRA keys match no weight of this model and are ignored: \(LoRAError.sample(unmatched, count: 5))"
    }
}

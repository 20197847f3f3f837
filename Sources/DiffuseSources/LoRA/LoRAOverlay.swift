import DiffuseCore
import DiffuseNN

/// LoRA adapters merged into one component's weights as they are handed out (`WeightStore.overlaid(by:)`):
/// a model built from the overlaid store gets W + Σ scale · (alpha / rank) · up · down (`LoRAMerge`) for each
/// weight the adapters touch, and the stored tensor itself for every other. Nothing is written in place, so
/// the base store serves the next overlay (another set of adapters, or none) as it served this one.
///
/// It records which weights were merged (`mergedKeys`) and which layers did not fit their weight's shape
/// (`misfits`), for the caller's matched / unmatched report once the model is built.
public final class LoRAOverlay: WeightOverlay, @unchecked Sendable {
    public let component: SingleFileCheckpoint.Component
    /// The layers of one adapter and its scale.
    public typealias Adapter = (layers: [LoRALayer], scale: Float)
    /// By weight key (text encoders: without `text_model.`), in the adapters' order.
    let terms: [String: [(layer: LoRALayer, factor: Float)]]
    let backend: any Backend
    private let lock = Lock()
    private var merged: Set<String> = []
    private var misfitLayers: [(layer: LoRALayer, shape: [Int])] = []

    /// The overlay of `adapters`' layers for `component`; nil when none touches it. `backend` computes the
    /// merge and must compute on the host (a `CPUBackend`).
    public init?(component: SingleFileCheckpoint.Component, adapters: [Adapter], backend: any Backend) {
        var terms: [String: [(layer: LoRALayer, factor: Float)]] = [:]
        for adapter in adapters {
            for layer in adapter.layers where layer.component == component {
                terms[layer.weightKey, default: []].append((layer, adapter.scale * layer.scaling))
            }
        }
        guard !terms.isEmpty else { return nil }
        self.component = component
        self.terms = terms
        self.backend = backend
    }

    /// The model key as the layers name it: text encoders' `text_model.` prefix (transformers 4 layout) dropped.
    func normalized(_ key: String) -> String {
        component == .unet ? key : KohyaLoRAKeys.withoutTextModel(key)
    }

    public func tensor(for key: String, base: Tensor) -> Tensor? {
        let key = normalized(key)
        guard let terms = terms[key] else { return nil }
        let fitting = terms.filter { LoRAMerge.fits($0.layer, weightShape: base.shape) }
        lock.withLock {
            for term in terms where !LoRAMerge.fits(term.layer, weightShape: base.shape) {
                misfitLayers.append((term.layer, base.shape))
            }
            if !fitting.isEmpty { merged.insert(key) }
        }
        return fitting.isEmpty ? nil : LoRAMerge.merged(base, fitting, backend: backend)
    }

    /// Weight keys (normalized) that were handed out merged.
    public var mergedKeys: Set<String> { lock.withLock { merged } }

    /// Layers whose update does not have their weight's shape (left out of the merge), with that shape.
    public var misfits: [(layer: LoRALayer, shape: [Int])] { lock.withLock { misfitLayers } }
}

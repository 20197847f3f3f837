import Testing
import Foundation
import DiffuseCore
import DiffuseCPU
import DiffuseModels
import DiffuseNN
import DiffuseSources
import DiffuseTestSupport

/// The merge math (`LoRAMerge` through `LoRAOverlay`) against diffusers' own fused weights
/// (Fixtures/lora/merged.safetensors: `set_adapters` then `fuse_lora()`, PEFT's W + (B @ A)·scaling per
/// adapter) for attention, feed-forward, 1×1 proj / shortcut convs, 3×3 LoCon convs (one with stride 2)
/// and text-encoder layers; one adapter, two at once, and SDXL's two text encoders.
///
/// Tolerance, f32: |Δ| ≤ 2e-6·max|W'|. Both sides add rank-4 (or 2) products to W once per adapter, in a
/// different order (PEFT: (B @ A) rounded, × scaling rounded, + W; here: W + factor·(B·A) in one GEMM
/// epilogue): a few ulps of the largest term, |W'| ≤ ~1, so a few 1e-7.
@Suite struct LoRAMergeTests {
    struct Merged: Decodable {
        struct Case: Decodable {
            let `case`: String
            let model: String
            let loras: [LoRACase.Entry]
        }
        let cases: [Case]
        let weights: [String: [String]]
    }

    static let merged = try? LoRAFixture.json("merged.json", as: Merged.self)

    @Test(arguments: merged?.cases.map(\.case) ?? [])
    func mergedWeightsMatchDiffusers(_ name: String) throws {
        let spec = Self.merged!.cases.first { $0.case == name }!
        let reference = try SafeTensorsFile(path: FixturePaths.path("lora/merged.safetensors"))
        let folder = try ModelFolder(path: FixturePaths.path(spec.model))
        let layersPerBlock = folder.unet.layersPerBlockList.first
        let adapters: [LoRAOverlay.Adapter] = try spec.loras.map { entry in
            (try LoRAFile(path: LoRAFixture.path(entry.file)).layers(unetLayersPerBlock: layersPerBlock).layers, entry.scale)
        }
        for item in Self.merged!.weights[spec.model]! {
            let parts = item.split(separator: ":").map(String.init)
            let component = SingleFileCheckpoint.Component(rawValue: parts[0])!
            let store = try WeightStore(files: folder.requiredWeightFiles(component).files, dtype: .f32)
            let expected = try reference.tensor("\(name).\(item)")
            let base = store.tensor(parts[1], shape: expected.shape)
            let overlay = try #require(LoRAOverlay(component: component, adapters: adapters, backend: CPUBackend()))
            let result = try #require(overlay.tensor(for: parts[1], base: base), "\(item) is touched")
            let scale = expected.floats().reduce(0) { max($0, abs(Double($1))) }
            let report = closeness(result, expected, rtol: 0, atol: 2e-6 * scale)
            print("\(name) \(item): \(report.maxAbsError) (max |W'| \(scale))")
            #expect(report.passes, "\(name) \(item): \(report)")
            #expect(closeness(base, expected, rtol: 0, atol: 1e-3 * scale).passes == false, "\(item): the LoRA changes it")
            #expect(overlay.mergedKeys.contains(KohyaLoRAKeys.withoutTextModel(parts[1])))
        }
    }

    /// An f16 weight is widened, merged in f32 and rounded to f16 once: the result equals the f32 merge of
    /// the widened weight rounded to f16, exactly.
    @Test func halfWeightsRoundOnce() throws {
        var random = TestRandom(seed: 7)
        let weight = Tensor(random.floats(6 * 5 * 3 * 3, scale: 0.3), shape: [6, 5, 3, 3]).hostConverted(to: DType.f16)
        let layer = LoRALayer(component: .unet, module: "conv", down: Tensor(random.floats(2 * 5 * 9), shape: [2, 5, 3, 3]),
                              up: Tensor(random.floats(6 * 2), shape: [6, 2, 1, 1]), scaling: 0.5, sourceKey: "conv.down")
        let merged = LoRAMerge.merged(weight, [(layer, 0.8)], backend: CPUBackend())
        #expect(merged.dtype == DType.f16 && merged.shape == weight.shape)
        let wide = LoRAMerge.merged(weight.hostConverted(to: .f32), [(layer, 0.8)], backend: CPUBackend())
        #expect(merged.floats() == wide.hostConverted(to: DType.f16).floats())
        // and by hand: W + 0.8 · up · down, element [o, i, y, x]
        let w: [Float] = weight.floats(), d: [Float] = layer.down.floats()
        let u: [Float] = layer.up.floats(), m: [Float] = wide.floats()
        var worst: Float = 0
        for o in 0..<6 {
            for k in 0..<45 {
                let delta: Float = u[o * 2] * d[k] + u[o * 2 + 1] * d[45 + k]
                let want: Float = w[o * 45 + k] + 0.8 * delta
                worst = max(worst, abs(m[o * 45 + k] - want))
            }
        }
        #expect(worst < 1e-6)
    }

    /// An f16 LoRA file stays f16 in memory (views of the file) and is widened to f32 for the merge: the same
    /// merged weights, bit for bit, as an f32 file holding the same (f16-representable) values.
    @Test func halfFilesAreWidenedForTheMerge() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/diffuse-lora-f16-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = try SafeTensorsFile(path: LoRAFixture.path("sd1-kohya"))
        var half: [String: Tensor] = [:], rounded: [String: Tensor] = [:]
        for name in source.names {
            half[name] = try source.tensor(name).hostConverted(to: DType.f16)
            rounded[name] = half[name]!.hostConverted(to: DType.f32)
        }
        try SafeTensors.write(half, to: dir + "/half.safetensors")
        try SafeTensors.write(rounded, to: dir + "/rounded.safetensors")
        let halfLayers = try LoRAFile(path: dir + "/half.safetensors").layers().layers
        let wideLayers = try LoRAFile(path: dir + "/rounded.safetensors").layers().layers
        #expect(halfLayers.allSatisfy { $0.down.dtype == DType.f16 && $0.up.dtype == DType.f16 })
        #expect(halfLayers.map(\.scaling) == wideLayers.map(\.scaling))
        let folder = try ModelFolder(path: FixturePaths.path("tiny-sd1"))
        let store = try WeightStore(files: folder.requiredWeightFiles(.unet).files, dtype: .f32)
        let key = "down_blocks.0.resnets.1.conv1.weight"
        let base = store.tensor(key, shape: [32, 32, 3, 3])
        let a = LoRAOverlay(component: .unet, adapters: [(halfLayers, 0.8)], backend: CPUBackend())!.tensor(for: key, base: base)
        let b = LoRAOverlay(component: .unet, adapters: [(wideLayers, 0.8)], backend: CPUBackend())!.tensor(for: key, base: base)
        #expect(a != nil && a?.dtype == DType.f32 && a?.floats() == b?.floats())
    }

    /// A layer whose update has another shape than the weight is left out and reported, not merged.
    @Test func misfitsAreReported() {
        let layer = LoRALayer(component: .unet, module: "to_q", down: Tensor(zeros: [4, 32]), up: Tensor(zeros: [64, 4]),
                              scaling: 1, sourceKey: "lora_unet_to_q.lora_down.weight")
        let overlay = LoRAOverlay(component: .unet, adapters: [([layer], 1)], backend: CPUBackend())!
        #expect(overlay.tensor(for: "to_q.weight", base: Tensor(zeros: [32, 32])) == nil)
        #expect(overlay.misfits.count == 1 && overlay.mergedKeys.isEmpty)
        #expect(overlay.tensor(for: "to_k.weight", base: Tensor(zeros: [32, 32])) == nil, "untouched keys stay as they are")
        #expect(LoRAMerge.fits(layer, weightShape: [64, 32]))
        #expect(LoRAMerge.fits(layer, weightShape: [64, 32, 1, 1]), "a 1×1 conv takes a linear LoRA")
        #expect(!LoRAMerge.fits(layer, weightShape: [64, 32, 3, 3]))
    }
}

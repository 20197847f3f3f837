#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore

/// Loading from a diffusers `text_encoder/` folder, as `CLIPTextModel.from_pretrained` reads it
/// (transformers `modeling_utils.py`): `config.json` plus `model[.<variant>].safetensors`, or the shards
/// `model[.<variant>]-00001-of-0000N.safetensors`. (The pipeline's model-folder resolution, which also
/// reads shard index files, calls `init(config:weightFiles:dtype:backend:)` directly.)
extension CLIPTextModel {
    /// Reads `<directory>/config.json` and the weights next to it. Errors name the path.
    /// - Parameter variant: the weight-file variant (`"fp16"` → `model.fp16.safetensors`).
    public convenience init(directory: String, variant: String? = nil, dtype: DType = .f32,
                            backend: any Backend) throws {
        let config = try CLIPTextConfig(contentsOfFile: directory + "/config.json")
        try self.init(config: config, weightFiles: Self.weightFiles(in: directory, variant: variant),
                      dtype: dtype, backend: backend)
    }

    /// The safetensors files of a transformers model folder: the single file, or all its shards.
    public static func weightFiles(in directory: String, variant: String? = nil) throws -> [String] {
        let stem = "model" + (variant.map { "." + $0 } ?? "")
        let single = directory + "/" + stem + ".safetensors"
        let fm = FileManager.default
        if fm.fileExists(atPath: single) { return [single] }
        let listing = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        let shards = listing.filter { $0.hasPrefix(stem + "-") && $0.hasSuffix(".safetensors") && $0.contains("-of-") }.sorted()
        guard !shards.isEmpty else {
            let reason = fm.fileExists(atPath: directory)
                ? "no text-encoder weights: neither this file nor shards \(stem)-XXXXX-of-XXXXX.safetensors exist "
                  + "(only .safetensors are read; convert pytorch_model.bin first)"
                : "the folder \(directory) does not exist"
            throw CLIPTextModelError(.missingWeights, "\(single): \(reason)")
        }
        return shards.map { directory + "/" + $0 }
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import DiffuseNN

/// Loading a UNet from a diffusers `unet/` folder (what `UNet2DConditionModel.from_pretrained` reads):
/// `config.json` and `diffusion_pytorch_model[.<variant>].safetensors`, or its shards
/// `diffusion_pytorch_model[.<variant>]-00001-of-0000N.safetensors`.
extension UNet2DConditionModel {
    /// Reads `<directory>/config.json` and the weights next to it. Errors name the path.
    /// - Parameter variant: the weight-file variant (`"fp16"` → `diffusion_pytorch_model.fp16.safetensors`).
    public convenience init(directory: String, variant: String? = nil, dtype: DType = .f32,
                            backend: any Backend) throws {
        var config = try UNet2DConditionConfig(contentsOfFile: directory + "/config.json")
        config.sourceFile = directory + "/config.json"
        let files = try Self.weightFiles(in: directory, variant: variant)
        try self.init(config: config, weightFiles: files, dtype: dtype, backend: backend)
    }

    /// The safetensors files of a diffusers model folder: the single file, or all its shards.
    public static func weightFiles(in directory: String, variant: String? = nil) throws -> [String] {
        let stem = "diffusion_pytorch_model" + (variant.map { "." + $0 } ?? "")
        let single = directory + "/" + stem + ".safetensors"
        let fm = FileManager.default
        if fm.fileExists(atPath: single) { return [single] }
        let listing = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        let shards = listing.filter { $0.hasPrefix(stem + "-") && $0.hasSuffix(".safetensors") && $0.contains("-of-") }.sorted()
        guard !shards.isEmpty else {
            throw UNetLoadError(path: single, message: fm.fileExists(atPath: directory)
                ? "no UNet weights: neither this file nor shards \(stem)-XXXXX-of-XXXXX.safetensors exist "
                  + "(only diffusers-layout .safetensors are read; convert .bin / single-file checkpoints first)"
                : "the folder \(directory) does not exist")
        }
        return shards.map { directory + "/" + $0 }
    }
}

/// A UNet folder without usable weight files.
public struct UNetLoadError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let message: String
    public var description: String { "\(path): \(message)" }
}

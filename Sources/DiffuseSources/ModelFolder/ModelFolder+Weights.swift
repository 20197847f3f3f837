#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Finding a component's weight files, following diffusers' / transformers' naming
/// (`diffusers/utils/constants.py`, `_add_variant` in `diffusers/models/modeling_utils.py`):
/// `{base}.safetensors`, `{base}.{variant}.safetensors`, and sharded checkpoints described by
/// `{base}.safetensors.index.json` / `{base}.safetensors.index.{variant}.json`.
extension ModelFolder {
    static let unsupportedWeightExtensions = [".bin", ".ckpt", ".pt", ".pth", ".msgpack", ".h5", ".onnx"]

    /// The weight files of the component in `folder`. `baseName` is `diffusion_pytorch_model` for
    /// diffusers models, `model` for transformers models.
    public static func findWeights(in folder: String, baseName: String, variant: String?) throws -> WeightFiles {
        let names = listing(folder)
        let present = Set(names)
        let candidates: (single: String, indexes: [String])
        if let variant {
            candidates = ("\(baseName).\(variant).safetensors",
                          ["\(baseName).safetensors.index.\(variant).json", "\(baseName).\(variant).safetensors.index.json"])
        } else {
            candidates = ("\(baseName).safetensors", ["\(baseName).safetensors.index.json"])
        }
        if present.contains(candidates.single) {
            return WeightFiles(files: [folder + "/" + candidates.single], variant: variant)
        }
        if let index = candidates.indexes.first(where: present.contains) {
            return try shardedWeights(folder: folder, index: index, variant: variant)
        }

        // Nothing usable: explain what is there.
        let safetensors = names.filter { $0.hasSuffix(".safetensors") || $0.hasSuffix(".safetensors.index.json") || ($0.contains(".safetensors.index.") && $0.hasSuffix(".json")) }
        if let variant, !safetensors.isEmpty {
            throw ModelFolderError(.variantMismatch, path: folder,
                message: "no \"\(variant)\" variant weights (\(candidates.single)); found \(safetensors.joined(separator: ", ")) — use the matching variant or none")
        }
        if variant == nil, !safetensors.isEmpty {
            let variants = Set(safetensors.compactMap { variantName(of: $0, baseName: baseName) }).sorted()
            let advice = variants.isEmpty ? "" : "; pass variant: \(variants.map { "\"\($0)\"" }.joined(separator: " or ")) to use them"
            throw ModelFolderError(.variantMismatch, path: folder,
                message: "no \(candidates.single); found \(safetensors.joined(separator: ", "))" + advice)
        }
        let unsupported = names.filter { name in unsupportedWeightExtensions.contains { name.hasSuffix($0) } }
        if !unsupported.isEmpty {
            throw ModelFolderError(.unsupportedWeights, path: folder,
                message: "only \(unsupported.joined(separator: ", ")) found: .bin/.ckpt/.pt (PyTorch pickle) checkpoints are not supported; convert to safetensors, e.g. in Python: `Model.from_pretrained(folder).save_pretrained(folder, safe_serialization=True)`")
        }
        throw ModelFolderError(.missingWeights, path: folder,
            message: "no weights found (expected \(candidates.single)); download the complete model folder")
    }

    /// The variant part of `{base}.{variant}.safetensors` / `{base}.safetensors.index.{variant}.json`.
    static func variantName(of file: String, baseName: String) -> String? {
        if file.hasPrefix(baseName + "."), file.hasSuffix(".safetensors") {
            let middle = file.dropFirst(baseName.count + 1).dropLast(".safetensors".count)
            return middle.isEmpty || middle.contains("-of-") ? nil : String(middle)
        }
        let indexPrefix = baseName + ".safetensors.index."
        if file.hasPrefix(indexPrefix), file.hasSuffix(".json") {
            let middle = file.dropFirst(indexPrefix.count).dropLast(".json".count)
            return middle.isEmpty ? nil : String(middle)
        }
        return nil
    }

    /// Reads a `*.safetensors.index.json` (`{"metadata": …, "weight_map": {tensor: shard}}`) and checks
    /// that every shard it names exists.
    static func shardedWeights(folder: String, index: String, variant: String?) throws -> WeightFiles {
        let indexPath = folder + "/" + index
        struct ShardIndex: Decodable { let weight_map: [String: String] }
        let weightMap: [String: String]
        do {
            weightMap = try JSONDecoder().decode(ShardIndex.self, from: Data(contentsOf: URL(fileURLWithPath: indexPath))).weight_map
        } catch {
            throw ModelFolderError(.invalidShardIndex, path: indexPath,
                message: "not a valid shard index (expected {\"weight_map\": {tensor: file}}): \(error)")
        }
        let shards = Set(weightMap.values).sorted()
        guard !shards.isEmpty else {
            throw ModelFolderError(.invalidShardIndex, path: indexPath, message: "weight_map is empty")
        }
        for shard in shards {
            guard !shard.contains("/"), shard != "..", shard.hasSuffix(".safetensors") else {
                throw ModelFolderError(.invalidShardIndex, path: indexPath,
                    message: "weight_map names \"\(shard)\"; shards must be .safetensors files in the same folder")
            }
            guard isFile(folder + "/" + shard) else {
                throw ModelFolderError(.missingShard, path: folder + "/" + shard,
                    message: "shard listed in \(index) is missing; download the complete model folder")
            }
        }
        return WeightFiles(files: shards.map { folder + "/" + $0 }, indexFile: indexPath,
                           weightMap: weightMap, variant: variant)
    }

    /// `vocab.json` + `merges.txt` and/or `tokenizer.json`.
    static func findTokenizerFiles(in folder: String) throws -> TokenizerFiles {
        func file(_ name: String) -> String? { isFile(folder + "/" + name) ? folder + "/" + name : nil }
        let files = TokenizerFiles(vocab: file("vocab.json"), merges: file("merges.txt"), tokenizerJSON: file("tokenizer.json"))
        guard files.hasVocabAndMerges || files.tokenizerJSON != nil else {
            throw ModelFolderError(.missingTokenizerFiles, path: folder,
                message: "needs vocab.json and merges.txt (or tokenizer.json); download the complete tokenizer folder")
        }
        return files
    }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The files of a hub repository that Diffuse needs — exactly what `ModelFolder` reads — so a download
/// skips `.bin`/`.ckpt`/ONNX/Flax copies, other variants, safety checkers and sample images
/// (diffusers' `pipeline_loading_utils.py` `variant_compatible_siblings` does the same filtering by
/// variant; here it is restricted to the components `ModelFolder` reads):
///
///     model_index.json
///     {unet,vae}/config.json, scheduler/scheduler_config.json
///     per text encoder pair — text_encoder + tokenizer, and SDXL's text_encoder_2 + tokenizer_2 when the
///     repository has them (the SDXL refiner has only the second pair):
///       {text_encoder}/config.json, {tokenizer}/tokenizer_config.json,
///       {tokenizer}/{vocab.json, merges.txt, tokenizer.json, special_tokens_map.json}   (those present)
///     per weighted component: {base}[.{variant}].safetensors, or its shard index (+ the shards it lists)
struct HubFileSelection: Sendable, Equatable {
    /// Files to fetch, in order.
    var files: [String]
    /// Shard indexes among `files`: after fetching them, their shards are fetched too.
    var shardIndexes: [String]

    /// (text encoder, tokenizer) folder pairs, first to last.
    static let textEncoderPairs = [("text_encoder", "tokenizer"), ("text_encoder_2", "tokenizer_2")]
    static let configs = ["unet/config.json", "vae/config.json", "scheduler/scheduler_config.json"]
    static let tokenizerFiles = ["vocab.json", "merges.txt", "tokenizer.json", "special_tokens_map.json"]

    /// Picks the files from the repository listing `siblings`. Throws `.incompleteRepo` when a needed
    /// file is absent, before anything is downloaded.
    static func select(siblings: [String], variant: String?, model: String, revision: String) throws -> HubFileSelection {
        let present = Set(siblings)
        func missing(_ what: String) -> ModelSourceError {
            ModelSourceError(.incompleteRepo, model: model, message: "revision \"\(revision)\" on the hub \(what)")
        }
        guard present.contains("model_index.json") else {
            throw missing("has no model_index.json: not a diffusers pipeline repository; Diffuse needs one (model_index.json, text_encoder/, tokenizer/, unet/, vae/, scheduler/)")
        }
        // The first pair is required unless the repository is an SDXL refiner (only the second pair).
        let refiner = !present.contains("text_encoder/config.json") && present.contains("text_encoder_2/config.json")
        let pairs = textEncoderPairs.enumerated().filter { i, pair in
            i == 0 ? !refiner : present.contains(pair.0 + "/config.json")
        }.map(\.element)
        let neededConfigs = pairs.map { $0.0 + "/config.json" } + configs + pairs.map { $0.1 + "/tokenizer_config.json" }
        var files = ["model_index.json"]
        for config in neededConfigs {
            guard present.contains(config) else { throw missing("has no \(config); Diffuse needs it") }
            files.append(config)
        }
        for (_, tokenizerFolder) in pairs {
            let tokenizer = tokenizerFiles.map { tokenizerFolder + "/" + $0 }.filter(present.contains)
            guard tokenizer.contains(tokenizerFolder + "/tokenizer.json")
                  || (tokenizer.contains(tokenizerFolder + "/vocab.json") && tokenizer.contains(tokenizerFolder + "/merges.txt")) else {
                throw missing("has no \(tokenizerFolder)/vocab.json + merges.txt (nor \(tokenizerFolder)/tokenizer.json)")
            }
            files += tokenizer
        }
        var indexes: [String] = []
        let encoders = pairs.map { ($0.0, "model") }
        let weighted = encoders.filter { $0.0 == "text_encoder" }
            + [("unet", "diffusion_pytorch_model"), ("vae", "diffusion_pytorch_model")] + encoders.filter { $0.0 != "text_encoder" }
        for (component, base) in weighted {
            let name = try weightFile(in: component + "/", base: base, siblings: siblings, variant: variant, missing: missing)
            files.append(name)
            if name.hasSuffix(".json") { indexes.append(name) }
        }
        return HubFileSelection(files: files, shardIndexes: indexes)
    }

    /// The files of a repository holding one model at its root (`--vae`: madebyollin/taesd,
    /// stabilityai/sd-vae-ft-mse): `config.json` and `diffusion_pytorch_model[.{variant}].safetensors` or its
    /// shard index. Throws `.incompleteRepo` when one is absent (a pipeline repository is named as such).
    static func selectComponent(siblings: [String], variant: String?, model: String, revision: String) throws -> HubFileSelection {
        func missing(_ what: String) -> ModelSourceError {
            ModelSourceError(.incompleteRepo, model: model, message: "revision \"\(revision)\" on the hub \(what)")
        }
        guard siblings.contains("config.json") else {
            if siblings.contains("model_index.json") {
                throw missing("is a pipeline repository (model_index.json), not a VAE repository with config.json at its root; download it and give the path of its vae/ folder")
            }
            throw missing("has no config.json at its root: not a diffusers VAE repository (such as madebyollin/taesd: config.json + diffusion_pytorch_model.safetensors)")
        }
        let weights = try weightFile(in: "", base: "diffusion_pytorch_model", siblings: siblings, variant: variant,
                                     adviseVariant: false, missing: missing)
        return HubFileSelection(files: ["config.json", weights], shardIndexes: weights.hasSuffix(".json") ? [weights] : [])
    }

    /// The weight file (or shard index) of the component whose files start with `prefix` (`unet/`, or ""
    /// for a repository's root): `{base}[.{variant}].safetensors` or its index; else `missing` says what
    /// the repository has instead (and, with `adviseVariant`, which `--variant` to try).
    static func weightFile(in prefix: String, base: String, siblings: [String], variant: String?,
                           adviseVariant: Bool = true, missing: (String) -> ModelSourceError) throws -> String {
        let names = variant.map { ["\(base).\($0).safetensors", "\(base).safetensors.index.\($0).json", "\(base).\($0).safetensors.index.json"] }
            ?? ["\(base).safetensors", "\(base).safetensors.index.json"]
        let present = Set(siblings)
        if let name = names.map({ prefix + $0 }).first(where: present.contains) { return name }
        let there = siblings.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/")
            && ($0.contains(".safetensors") || $0.hasSuffix(".bin") || $0.hasSuffix(".ckpt")) }
        let found = there.isEmpty ? "no weight files" : "only " + there.sorted().joined(separator: ", ")
        let advice = !adviseVariant ? "" : variant == nil ? (there.contains { $0.contains(".fp16.") } ? "; try --variant fp16" : "")
                                                          : "; try without --variant"
        let component = prefix.isEmpty ? "" : String(prefix.dropLast()) + " "
        throw missing("has no \(component)weights \(variant.map { "of variant \"\($0)\" " } ?? "")(\(names[0])): \(found)" + advice)
    }

    /// The shard files (repository paths) listed by the shard index at `localPath`, whose repository
    /// path is `index`; each must be in `siblings`.
    static func shards(ofIndex index: String, localPath: String, siblings: [String], model: String) throws -> [String] {
        struct ShardIndex: Decodable { let weight_map: [String: String] }
        guard let data = FileManager.default.contents(atPath: localPath),
              let map = try? JSONDecoder().decode(ShardIndex.self, from: data).weight_map, !map.isEmpty else {
            throw ModelSourceError(.badResponse, model: model,
                message: "\(index) is not a shard index ({\"weight_map\": {tensor: file}}); the repository is broken")
        }
        let folder = String(index[..<(index.lastIndex(of: "/") ?? index.startIndex)])
        let present = Set(siblings)
        return try Set(map.values).sorted().map { shard in
            let path = folder + "/" + shard
            guard !shard.contains("/"), !shard.hasPrefix("."), shard.hasSuffix(".safetensors"), present.contains(path) else {
                throw ModelSourceError(.incompleteRepo, model: model,
                    message: "\(index) names shard \"\(shard)\", which is not a .safetensors file of the repository")
            }
            return path
        }
    }
}

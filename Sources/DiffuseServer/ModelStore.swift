#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseCore
import DiffusePipeline
import DiffuseSources

/// The loaded model, the others of `--models-dir` it can switch to (`sd_model_checkpoint`), and the LoRAs of
/// `--lora-dir` (`<lora:name:w>` in prompts). The pipeline is used and replaced only on the generation
/// thread (`GenerationQueue`), so a switch never races a generation; listing reads under the lock.
public final class ModelStore: @unchecked Sendable {
    /// Loads a model (a folder, hub id or single-file checkpoint) the way the server was configured.
    public typealias Loader = @Sendable (String) throws -> StableDiffusionPipeline

    private let lock = Lock()
    private var pipeline: StableDiffusionPipeline
    private var path: String
    /// `--model`: listed (and switchable back to) whatever is loaded now.
    private let startPath: String
    private var activeLoRAs: [PromptLoRA] = []
    let modelsDir: String?
    let loraDir: String?
    private let load: Loader

    public init(model path: String, pipeline: StableDiffusionPipeline, modelsDir: String?, loraDir: String?, load: @escaping Loader) {
        self.pipeline = pipeline
        self.path = path
        startPath = path
        self.modelsDir = modelsDir
        self.loraDir = loraDir
        self.load = load
    }

    /// The default loader: `ModelSource.open` (folders, hub ids from the cache, single files) and a CPU pipeline.
    public static let defaultLoader: Loader = { model in
        let (folder, _) = try ModelSource.open(ModelSource.Request(model: model))
        return try StableDiffusionPipeline(folder: folder)
    }

    var current: (pipeline: StableDiffusionPipeline, name: String) {
        lock.withLock { (pipeline, Self.title(path)) }
    }

    /// Short hashes already computed, by model path (hashing reads the whole weight file once).
    private var hashes: [String: String] = [:]

    /// A1111's `Model hash` of the loaded model (`ModelHash.short(ofModel:)`); computed on first use,
    /// outside the lock, on the generation thread.
    func modelHash() -> String? {
        let path = lock.withLock { self.path }
        if let known = lock.withLock({ hashes[path] }) { return known }
        guard let hash = ModelHash.short(ofModel: path) else { return nil }
        lock.withLock { hashes[path] = hash }
        return hash
    }

    /// A model's name as A1111 shows it (`title`, `model_name`): the folder or file name.
    static func title(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        return last.hasSuffix(".safetensors") ? String(last.dropLast(".safetensors".count)) : last
    }

    /// The loaded model and those of `--models-dir` (diffusers folders with model_index.json, .safetensors files).
    func models() -> [(title: String, path: String)] {
        var paths = [startPath]
        if let modelsDir, let names = try? FileManager.default.contentsOfDirectory(atPath: modelsDir) {
            for name in names.sorted() {
                let full = modelsDir + "/" + name
                if name.hasSuffix(".safetensors") || FileManager.default.fileExists(atPath: full + "/model_index.json") {
                    if !paths.contains(where: { Self.title($0) == Self.title(full) }) { paths.append(full) }
                }
            }
        }
        return paths.map { (Self.title($0), $0) }
    }

    /// The model titled `name` (A1111 titles may carry a hash: "name [abcdef]"); 422 when there is none.
    func model(named name: String) throws -> (title: String, path: String) {
        let wanted = name.split(separator: " [").first.map(String.init) ?? name
        guard let entry = models().first(where: { $0.title == wanted || $0.path == wanted }) else {
            throw ServerError.field("sd_model_checkpoint", "no model \"\(name)\"; GET /sdapi/v1/sd-models lists them (models come from --models-dir)")
        }
        return entry
    }

    /// Loads the model titled `name` (generation thread only); no-op when it is the loaded one.
    func switchTo(_ name: String) throws {
        let entry = try model(named: name)
        if entry.path == lock.withLock({ path }) { return }
        let loaded = try load(entry.path)
        lock.withLock {
            pipeline = loaded
            path = entry.path
            activeLoRAs = []
        }
    }

    /// The LoRA files of `--lora-dir` (names without .safetensors).
    func loras() -> [(name: String, path: String)] {
        guard let loraDir, let names = try? FileManager.default.contentsOfDirectory(atPath: loraDir) else { return [] }
        return names.sorted().filter { $0.hasSuffix(".safetensors") }
            .map { (String($0.dropLast(".safetensors".count)), loraDir + "/" + $0) }
    }

    /// The file of each LoRA `wanted` names; 422 naming the first that `--lora-dir` lacks.
    func loraPaths(_ wanted: [PromptLoRA]) throws -> [String] {
        let files = wanted.isEmpty ? [] : loras()
        return try wanted.map { lora in
            guard let file = files.first(where: { $0.name == lora.name }) else {
                let known = files.map(\.name)
                throw ServerError.field("prompt", "no LoRA \"\(lora.name)\" in --lora-dir" +
                                        (known.isEmpty ? " (none there, or no --lora-dir)" : "; available: \(known.joined(separator: ", "))"))
            }
            return file.path
        }
    }

    /// Makes `wanted` the pipeline's adapters (generation thread only; re-merged only when they change).
    func apply(_ wanted: [PromptLoRA]) throws -> [String] {
        let (pipeline, active) = lock.withLock { (self.pipeline, activeLoRAs) }
        guard wanted != active else { return [] }
        let adapters = try zip(wanted, loraPaths(wanted)).map { try LoRAAdapter(path: $1, scale: $0.scale) }
        let warnings = try pipeline.setLoRAs(adapters)
        lock.withLock { activeLoRAs = wanted }
        return warnings
    }
}

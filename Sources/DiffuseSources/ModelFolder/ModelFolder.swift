#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseModels
import DiffuseSchedulers

/// A diffusers Stable Diffusion folder on disk (what `StableDiffusionPipeline.save_pretrained` writes
/// and what the Hugging Face hub serves):
///
///     model_index.json
///     text_encoder/config.json      model.safetensors            (or sharded / .fp16 variants)
///     tokenizer/tokenizer_config.json  vocab.json merges.txt     (or tokenizer.json)
///     unet/config.json              diffusion_pytorch_model.safetensors
///     vae/config.json               diffusion_pytorch_model.safetensors
///     scheduler/scheduler_config.json
///     text_encoder_2/, tokenizer_2/    SDXL: a second text encoder and tokenizer, laid out as the first
///
/// The SDXL refiner has only the second pair (`text_encoder` and `tokenizer` null in model_index.json);
/// every other model needs the first.
///
/// `init(path:variant:)` checks that every component Diffuse needs is listed in `model_index.json` and
/// has its folder, config and weights, and decodes every config. It does not judge whether Diffuse can
/// run the model: call `validateSupported()` for that. Errors are `ModelFolderError` (layout) or
/// `ConfigError` (a config's content), both naming the path and what to do.
public struct ModelFolder: Sendable {
    /// The components a text-to-image pipeline needs, by folder name (`text_encoder` and `tokenizer` may
    /// be left out when `text_encoder_2` and `tokenizer_2` are there: the SDXL refiner's layout).
    public static let requiredComponents = ["text_encoder", "tokenizer", "unet", "vae", "scheduler"]
    /// Components read when `model_index.json` lists them (SDXL's second text encoder and tokenizer); each
    /// then needs its folder, config and (text encoder) weights like a required one.
    public static let optionalComponents = ["text_encoder_2", "tokenizer_2"]
    /// The first text encoder and tokenizer: optional in the refiner layout only.
    static let refinerOptionalComponents = ["text_encoder", "tokenizer"]

    /// The folder, as given.
    public let path: String
    /// The weights variant asked for (e.g. `"fp16"`), or nil.
    public let variant: String?

    public let modelIndex: ModelIndex
    public let unet: UNet2DConditionConfig
    public let vae: AutoencoderKLConfig
    /// `text_encoder` (CLIPTextModel) and `tokenizer`: nil only in the refiner layout.
    public let textEncoder: CLIPTextConfig?
    public let tokenizer: CLIPTokenizerConfig?
    public let scheduler: SchedulerConfig

    /// SDXL's `text_encoder_2` (CLIPTextModelWithProjection) and `tokenizer_2`; nil when not listed.
    public let textEncoder2: CLIPTextConfig?
    public let tokenizer2: CLIPTokenizerConfig?

    public let unetWeights: WeightFiles
    public let vaeWeights: WeightFiles
    /// nil only in the refiner layout.
    public let textEncoderWeights: WeightFiles?
    public let tokenizerFiles: TokenizerFiles?
    /// `text_encoder_2`'s weight files (empty with `weights: false`) and `tokenizer_2`'s vocabulary; nil
    /// when not listed.
    public let textEncoder2Weights: WeightFiles?
    public let tokenizer2Files: TokenizerFiles?
    /// Set when the weights come from a single-file checkpoint (`SingleFileCheckpoint.open`) instead of
    /// the component folders; the configs are then this folder's.
    public internal(set) var checkpoint: SingleFileCheckpoint?

    /// Opens the model folder at `path`. `variant` selects `*.{variant}.safetensors` weights
    /// (e.g. `"fp16"`), as diffusers' `from_pretrained(..., variant="fp16")`. With `weights: false`
    /// only the configs and the tokenizer are read (the folder given as `--config` for a single-file
    /// checkpoint); the weight lists are then empty.
    public init(path: String, variant: String? = nil, weights: Bool = true) throws {
        let root = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
        self.path = root
        self.variant = variant
        guard Self.isDirectory(root) else {
            throw ModelFolderError(.missingFolder, path: root,
                message: "no such folder; give the path of a diffusers model folder (the one containing model_index.json)")
        }
        let indexPath = root + "/model_index.json"
        guard Self.isFile(indexPath) else {
            let hint = Self.isFile(root + "/config.json")
                ? "this looks like a single component's folder; give its parent, the pipeline folder"
                : "a diffusers pipeline folder has model_index.json at its root (a single-file .safetensors checkpoint is opened with SingleFileCheckpoint.open)"
            throw ModelFolderError(.missingModelIndex, path: indexPath, message: "missing; " + hint)
        }
        modelIndex = try ModelIndex(contentsOfFile: indexPath)

        // The refiner layout: only the second text encoder and tokenizer.
        let refinerLayout = modelIndex["text_encoder"] == nil && modelIndex["tokenizer"] == nil
            && modelIndex["text_encoder_2"] != nil && modelIndex["tokenizer_2"] != nil
        for name in Self.requiredComponents + Self.optionalComponents {
            if Self.optionalComponents.contains(name), modelIndex[name] == nil { continue }
            if refinerLayout, Self.refinerOptionalComponents.contains(name) { continue }
            guard modelIndex[name] != nil else {
                let listed = modelIndex.absentComponents.contains(name) ? "is listed as null" : "is not listed"
                throw ModelFolderError(.missingComponent, path: indexPath,
                    message: "component \"\(name)\" \(listed); Diffuse needs \(Self.requiredComponents.joined(separator: ", "))")
            }
            guard Self.isDirectory(root + "/" + name) else {
                throw ModelFolderError(.missingComponent, path: root + "/" + name,
                    message: "component folder is missing (model_index.json lists \"\(name)\"); download the complete model folder")
            }
        }

        unet = try Self.decodeConfig(root + "/unet/config.json", as: UNet2DConditionConfig.self)
        vae = try Self.decodeConfig(root + "/vae/config.json", as: AutoencoderKLConfig.self)
        textEncoder = refinerLayout ? nil : try Self.decodeConfig(root + "/text_encoder/config.json", as: CLIPTextConfig.self)
        tokenizer = refinerLayout ? nil
            : try Self.decodeConfig(root + "/tokenizer/tokenizer_config.json", as: CLIPTokenizerConfig.self)
        let hasTextEncoder2 = modelIndex["text_encoder_2"] != nil, hasTokenizer2 = modelIndex["tokenizer_2"] != nil
        textEncoder2 = hasTextEncoder2
            ? try Self.decodeConfig(root + "/text_encoder_2/config.json", as: CLIPTextConfig.self) : nil
        tokenizer2 = hasTokenizer2
            ? try Self.decodeConfig(root + "/tokenizer_2/tokenizer_config.json", as: CLIPTokenizerConfig.self) : nil
        let schedulerPath = root + "/scheduler/scheduler_config.json"
        try Self.requireConfig(schedulerPath)
        do {
            scheduler = try SchedulerConfig(jsonData: try Self.read(schedulerPath), file: schedulerPath)
        } catch let error as DecodingError {
            throw ConfigError(decoding: error, file: schedulerPath)
        }

        if weights {
            unetWeights = try Self.findWeights(in: root + "/unet", baseName: "diffusion_pytorch_model", variant: variant)
            vaeWeights = try Self.findWeights(in: root + "/vae", baseName: "diffusion_pytorch_model", variant: variant)
            textEncoderWeights = refinerLayout ? nil
                : try Self.findWeights(in: root + "/text_encoder", baseName: "model", variant: variant)
            textEncoder2Weights = hasTextEncoder2
                ? try Self.findWeights(in: root + "/text_encoder_2", baseName: "model", variant: variant) : nil
        } else {
            (unetWeights, vaeWeights) = (WeightFiles(files: []), WeightFiles(files: []))
            textEncoderWeights = refinerLayout ? nil : WeightFiles(files: [])
            textEncoder2Weights = hasTextEncoder2 ? WeightFiles(files: []) : nil
        }
        tokenizerFiles = refinerLayout ? nil : try Self.findTokenizerFiles(in: root + "/tokenizer")
        tokenizer2Files = hasTokenizer2 ? try Self.findTokenizerFiles(in: root + "/tokenizer_2") : nil
    }

    /// The config of every text encoder the model has, first to last (`text_encoder`, `text_encoder_2`).
    public var textEncoders: [CLIPTextConfig] { [textEncoder, textEncoder2].compactMap { $0 } }

    /// The text encoder with the widest hidden state (what the memory prediction counts).
    public var widestTextEncoder: CLIPTextConfig {
        // init guarantees at least one text encoder (text_encoder, or text_encoder_2 in the refiner layout)
        textEncoders.max { $0.hiddenSize < $1.hiddenSize }!
    }

    /// Absolute path of a component folder, e.g. `componentPath("unet")`.
    public func componentPath(_ name: String) -> String { path + "/" + name }

    // MARK: - Helpers

    static func decodeConfig<C: ConfigFile>(_ file: String, as type: C.Type) throws -> C {
        try requireConfig(file)
        return try C(contentsOfFile: file)
    }

    static func requireConfig(_ file: String) throws {
        guard isFile(file) else {
            throw ModelFolderError(.missingConfig, path: file,
                message: "missing; every component folder needs its config file — download the complete model folder")
        }
    }

    static func read(_ file: String) throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw ConfigError(.unreadable, file: file, message: "cannot read the file (\(error))")
        }
    }

    static func isDirectory(_ path: String) -> Bool { fileKind(path) == true }

    static func isFile(_ path: String) -> Bool { fileKind(path) == false }

    /// nil: nothing there; true: a directory; false: a file (symlinks followed, as in the HF cache).
    static func fileKind(_ path: String) -> Bool? {
        #if canImport(FoundationEssentials)
        var isDir = false
        #else
        var isDir: ObjCBool = false
        #endif
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        #if canImport(FoundationEssentials)
        return isDir
        #else
        return isDir.boolValue
        #endif
    }

    static func listing(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }
}

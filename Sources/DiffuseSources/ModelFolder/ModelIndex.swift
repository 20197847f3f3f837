#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import DiffuseModels

/// `model_index.json` at the root of a diffusers pipeline folder, as written by
/// `DiffusionPipeline.save_pretrained` (`diffusers/pipelines/pipeline_utils.py`):
///
///     { "_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.6.0",
///       "unet": ["diffusers", "UNet2DConditionModel"], "safety_checker": [null, null],
///       "requires_safety_checker": false, … }
///
/// `_class_name` is required. Component entries are `[library, class]` pairs; `null` or
/// `[null, null]` marks a component saved as absent (e.g. SD 2.1's safety checker). Boolean entries
/// (`requires_safety_checker`, SDXL's `force_zeros_for_empty_prompt`) are pipeline options. Other
/// `_`-prefixed keys are metadata; anything else is ignored.
public struct ModelIndex: ConfigFile, Encodable, Equatable {
    /// `_class_name`, e.g. `StableDiffusionPipeline`.
    public var className: String
    /// `_diffusers_version` (metadata).
    public var diffusersVersion: String?
    /// `_name_or_path` (metadata, sometimes present).
    public var nameOrPath: String?
    /// Components that are present, by folder name.
    public var components: [String: ModelComponent]
    /// Components listed as `null` / `[null, null]`, sorted.
    public var absentComponents: [String]
    /// Boolean pipeline options, e.g. `requires_safety_checker`.
    public var options: [String: Bool]

    public var sourceFile: String = "model_index.json"

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        static let className = Key(stringValue: "_class_name")
        static let diffusersVersion = Key(stringValue: "_diffusers_version")
        static let nameOrPath = Key(stringValue: "_name_or_path")
    }

    public init(className: String, diffusersVersion: String? = nil, components: [String: ModelComponent],
                absentComponents: [String] = [], options: [String: Bool] = [:]) {
        self.className = className
        self.diffusersVersion = diffusersVersion
        self.components = components
        self.absentComponents = absentComponents.sorted()
        self.options = options
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        className = try c.decode(String.self, forKey: .className)
        diffusersVersion = try c.decodeIfPresent(String.self, forKey: .diffusersVersion)
        nameOrPath = try c.decodeIfPresent(String.self, forKey: .nameOrPath)
        components = [:]
        absentComponents = []
        options = [:]
        for key in c.allKeys where !key.stringValue.hasPrefix("_") {
            if try c.decodeNil(forKey: key) {
                absentComponents.append(key.stringValue)
            } else if let pair = try? c.decode([String?].self, forKey: key), pair.count == 2 {
                if let library = pair[0], let name = pair[1] {
                    components[key.stringValue] = ModelComponent(library: library, className: name)
                } else {
                    absentComponents.append(key.stringValue)
                }
            } else if let flag = try? c.decode(Bool.self, forKey: key) {
                options[key.stringValue] = flag
            }
            // Anything else (numbers, nested objects) is not part of the format Diffuse reads: ignored.
        }
        absentComponents.sort()
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(className, forKey: .className)
        try c.encodeIfPresent(diffusersVersion, forKey: .diffusersVersion)
        try c.encodeIfPresent(nameOrPath, forKey: .nameOrPath)
        for (name, component) in components { try c.encode(component, forKey: Key(stringValue: name)) }
        for name in absentComponents { try c.encode([String?.none, nil], forKey: Key(stringValue: name)) }
        for (name, flag) in options { try c.encode(flag, forKey: Key(stringValue: name)) }
    }

    /// The component stored in folder `name`, or nil if absent/unlisted.
    public subscript(name: String) -> ModelComponent? { components[name] }
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `lora_adapter_metadata` header diffusers' `save_lora_weights` writes: each component's PEFT
/// `LoraConfig` fields as `<component>.<field>` (`unet.lora_alpha`, `text_encoder.alpha_pattern`, …). diffusers
/// builds the adapter's `LoraConfig` from it (utils/peft_utils.py `_create_lora_config`); only the fields
/// that decide the scaling are read: `lora_alpha`, `alpha_pattern`, `use_rslora`.
public struct PEFTAdapterConfig: Sendable, Equatable {
    public struct Component: Sendable, Equatable {
        public var loraAlpha: Double?
        /// Module-name patterns (PEFT `get_pattern_key`: a regex matching the name or its last dotted parts).
        public var alphaPattern: [String: Double] = [:]
        public var useRSLoRA = false
    }

    /// By component prefix (`unet`, `text_encoder`, `text_encoder_2`).
    public var components: [String: Component] = [:]

    public init(components: [String: Component]) { self.components = components }

    public init(json: String, path: String) throws {
        let fields: [String: Field]
        do { fields = try JSONDecoder().decode([String: Field].self, from: Data(json.utf8)) } catch {
            throw LoRAError(.unreadable, path: path, message: "the lora_adapter_metadata header is not a JSON object of LoraConfig fields (\(error))")
        }
        for (key, value) in fields {
            guard let dot = key.firstIndex(of: ".") else { continue }
            let prefix = String(key[..<dot]), field = key[key.index(after: dot)...]
            var component = components[prefix] ?? Component()
            switch (field, value) {
            case ("lora_alpha", .number(let x)): component.loraAlpha = x
            case ("alpha_pattern", .numbers(let patterns)): component.alphaPattern = patterns
            case ("use_rslora", .bool(let flag)): component.useRSLoRA = flag
            case ("use_dora", .bool(true)):
                throw LoRAError(.unsupported, path: path, message: "DoRA (\(key) = true) is not supported, only plain LoRA")
            default: break
            }
            components[prefix] = component
        }
    }

    /// alpha / rank (rsLoRA: alpha / √rank) of `module` (the PEFT module name inside the component) with a
    /// tensor rank of `rank`; nil when the component has no `lora_alpha` (the caller's default applies).
    public func scaling(component: String, modules: [String], rank: Int) -> Float? {
        guard let config = components[component], let base = config.loraAlpha else { return nil }
        var alpha = base
        // PEFT: the first pattern (in the config's order; JSON objects keep it in diffusers' sort_keys output)
        // whose regex matches `(.*\.)?(pattern)$`.
        for pattern in config.alphaPattern.keys.sorted() {
            if modules.contains(where: { Self.matches(pattern, $0) }) { alpha = config.alphaPattern[pattern]!; break }
        }
        return Float(config.useRSLoRA ? alpha / Double(rank).squareRoot() : alpha / Double(rank))
    }

    static func matches(_ pattern: String, _ name: String) -> Bool {
        guard let regex = try? Regex("(.*\\.)?(\(pattern))") else { return name == pattern || name.hasSuffix("." + pattern) }
        return (try? regex.wholeMatch(in: name)) != nil
    }

    /// The JSON values of the header that matter here.
    enum Field: Decodable {
        case number(Double), bool(Bool), numbers([String: Double]), other

        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let x = try? c.decode(Double.self) { self = .number(x) }
            else if let d = try? c.decode([String: Double].self) { self = .numbers(d) }
            else { self = .other }
        }
    }
}

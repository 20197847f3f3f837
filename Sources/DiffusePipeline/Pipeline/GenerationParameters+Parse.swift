#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
/// Reading a `parameters` text back (`diffuse generate --from-png`): the form `GenerationParameters.text`
/// writes and AUTOMATIC1111 writes (its `modules/infotext_utils.py` `parse_generation_parameters`): prompt
/// lines, an optional `Negative prompt:` part, and a last line of `Key: value` pairs separated by `, `,
/// a value in double quotes when it holds a comma. Unknown keys are kept in `extra`.
extension GenerationParameters {
    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Every `Key: value` pair of the last line, in order (quoted values unquoted).
    public static func fields(of line: String) -> [(key: String, value: String)] {
        var pairs: [(String, String)] = []
        var rest = Substring(line)
        while !rest.isEmpty {
            guard let colon = rest.range(of: ": ") else { break }
            let key = rest[..<colon.lowerBound].trimmingCharacters(in: .whitespaces)
            rest = rest[colon.upperBound...]
            var value: Substring
            if rest.first == "\"" {   // a quoted value: to the closing quote
                let body = rest.dropFirst()
                let close = body.firstIndex(of: "\"") ?? body.endIndex
                value = body[..<close]
                rest = close < body.endIndex ? body[body.index(after: close)...] : ""
                if let comma = rest.firstIndex(of: ",") { rest = rest[rest.index(after: comma)...] } else { rest = "" }
            } else if let comma = rest.range(of: ", ") {
                value = rest[..<comma.lowerBound]
                rest = rest[comma.upperBound...]
            } else {
                value = rest
                rest = ""
            }
            pairs.append((key, String(value).trimmingCharacters(in: .whitespaces)))
        }
        return pairs
    }

    /// Parses `text`; throws when it has no `Steps:` line (not generation parameters) or a number is not one.
    public init(text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let last = lines.last, last.hasPrefix("Steps: ") else {
            throw ParseError(description: "no generation parameters: the text has no \"Steps: …\" line (was it written by Diffuse or AUTOMATIC1111?)")
        }
        lines.removeLast()
        var promptLines: [String] = [], negativeLines: [String] = []
        var inNegative = false
        for line in lines {
            if !inNegative, line.hasPrefix("Negative prompt: ") {
                inNegative = true
                negativeLines.append(String(line.dropFirst("Negative prompt: ".count)))
            } else if inNegative {
                negativeLines.append(line)
            } else {
                promptLines.append(line)
            }
        }
        let pairs = Self.fields(of: last)
        func value(_ key: String) -> String? { pairs.first { $0.key == key }?.value }
        func number<T: LosslessStringConvertible>(_ key: String, _ type: T.Type) throws -> T? {
            guard let text = value(key) else { return nil }
            guard let n = T(text) else { throw ParseError(description: "\"\(key): \(text)\" is not a number") }
            return n
        }
        guard let steps = try number("Steps", Int.self) else { throw ParseError(description: "no Steps value") }
        let size = value("Size")?.split(separator: "x").compactMap { Int($0) }
        if let text = value("Size"), size?.count != 2 {
            throw ParseError(description: "\"Size: \(text)\" is not WIDTHxHEIGHT")
        }
        self.init(prompt: promptLines.joined(separator: "\n"), negativePrompt: negativeLines.joined(separator: "\n"),
                  steps: steps, sampler: value("Sampler") ?? "", guidanceScale: try number("CFG scale", Double.self) ?? 7.5,
                  seed: try number("Seed", UInt64.self) ?? 0, width: size?[0] ?? 0, height: size?[1] ?? 0,
                  model: value("Model") ?? "")
        modelHash = value("Model hash")
        version = value("Version")
        vae = value("VAE")
        strength = try number("Denoising strength", Double.self)
        maskBlur = try number("Mask blur", Double.self)
        clipSkip = max(0, (try number("Clip skip", Int.self) ?? 1) - 1)
        batchSize = try number("Batch size", Int.self) ?? 1
        batchPosition = try number("Batch pos", Int.self) ?? 0
        // `<lora:name:scale>` tags, as this type writes them after the prompt (A1111 keeps them in its prompt).
        var kept = prompt
        var tags: [LoRATag] = []
        while let open = kept.range(of: "<lora:"), let close = kept[open.upperBound...].firstIndex(of: ">") {
            let parts = kept[open.upperBound..<close].split(separator: ":", omittingEmptySubsequences: false)
            if let name = parts.first, !name.isEmpty {
                tags.append(LoRATag(name: String(name), scale: parts.count > 1 ? Float(parts[1]) ?? 1 : 1))
            }
            kept.removeSubrange(open.lowerBound...close)
        }
        prompt = kept.trimmingCharacters(in: .whitespaces)
        loras = tags
        for pair in pairs where !Self.readKeys.contains(pair.key) { extra[pair.key] = pair.value }
    }

    static let readKeys: Set<String> = ["Steps", "Sampler", "CFG scale", "Seed", "Size", "Model", "Model hash", "Version",
                                        "VAE", "Denoising strength", "Mask blur", "Clip skip", "Batch size", "Batch pos"]
}

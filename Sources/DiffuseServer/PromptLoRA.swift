/// A1111's extra-network syntax `<lora:name:weight>` (weight optional, default 1), taken out of a prompt.
struct PromptLoRA: Sendable, Equatable {
    var name: String
    var scale: Float

    /// The prompt without its `<lora:…>` tags (spaces around them collapsed), and the tags in order.
    static func extract(from prompt: String) throws -> (prompt: String, loras: [PromptLoRA]) {
        var text = ""
        var loras: [PromptLoRA] = []
        var rest = Substring(prompt)
        while let open = rest.range(of: "<lora:") {
            text += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: ">") else {
                throw ServerError.field("prompt", "unclosed <lora:…> tag; write <lora:name:weight>")
            }
            let parts = rest[open.upperBound..<close].split(separator: ":", omittingEmptySubsequences: false)
            guard let name = parts.first, !name.isEmpty else {
                throw ServerError.field("prompt", "a <lora:…> tag without a name; write <lora:name:weight>")
            }
            var scale: Float = 1
            if parts.count > 1 {
                guard let value = Float(parts[1]), value.isFinite else {
                    throw ServerError.field("prompt", "the weight of <lora:\(name):\(parts[1])> is not a number")
                }
                scale = value
            }
            loras.append(PromptLoRA(name: String(name), scale: scale))
            rest = rest[rest.index(after: close)...]
        }
        guard !loras.isEmpty else { return (prompt, []) }
        text += rest
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        return (words.joined(separator: " "), loras)
    }
}

/// A checkpoint that does not fit the model built from its config: every missing, unused and
/// mismatched key at once.
public struct WeightLoadError: Error, CustomStringConvertible, Sendable {
    public let source: String
    public let missing: [String]
    public let unused: [String]
    public let mismatched: [String]
    public let note: String?
    /// What to check, replacing the default advice (config and weights of the same diffusers model).
    public var hint: String? = nil

    public var description: String {
        if let note { return "\(source): \(note)" }
        var lines = ["\(source): the weights do not match the model built from its config.json "
                     + "(\(missing.count) missing, \(unused.count) unused, \(mismatched.count) with the wrong shape)."]
        func list(_ title: String, _ keys: [String]) {
            guard !keys.isEmpty else { return }
            lines.append("  \(title):")
            for key in keys.prefix(20) { lines.append("    \(key)") }
            if keys.count > 20 { lines.append("    … and \(keys.count - 20) more") }
        }
        list("missing", missing)
        list("unused", unused)
        list("wrong shape", mismatched)
        lines.append(hint.map { "  " + $0 } ?? ("  Check that the config.json and the .safetensors files belong to the same model "
                     + "(and are a diffusers-layout checkpoint, not a single-file original one)."))
        return lines.joined(separator: "\n")
    }
}

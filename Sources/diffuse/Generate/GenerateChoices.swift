import DiffuseNN
import DiffusePipeline

/// The named choices of `diffuse generate`, checked before anything is loaded. Each error is one line.
enum GenerateChoices {
    /// `--scheduler`: one of `SchedulerChoice`'s names.
    static func scheduler(_ name: String?) throws -> SchedulerChoice? {
        guard let name else { return nil }
        guard let choice = SchedulerChoice(rawValue: name.lowercased()) else {
            throw GenerateError("unknown scheduler \"\(name)\"; use one of: \(SchedulerChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }

    /// `--precision f32|f16|bf16`.
    static func precision(_ name: String) throws -> Precision {
        guard let precision = Precision(rawValue: name.lowercased()) else {
            throw GenerateError("unknown precision \"\(name)\"; use one of: f32, f16, bf16")
        }
        return precision
    }

    /// Attention processors that come with the accelerated-attention work and are not in this build.
    static let notYetAvailable = ["flash", "sdpa", "tiled", "online"]

    /// `--attention`: `auto` (nil: each layer keeps its default processor), `vanilla`, `sliced`
    /// (one batch·head slice at a time, the least memory) or `sliced:N`.
    static func attention(_ name: String) throws -> (any AttentionProcessor)? {
        let lower = name.lowercased()
        switch lower {
        case "auto": return nil
        case "vanilla": return VanillaAttention()
        case "sliced": return SlicedAttention(sliceSize: 1)
        default:
            if lower.hasPrefix("sliced:"), let n = Int(lower.dropFirst(7)), n >= 1 { return SlicedAttention(sliceSize: n) }
            if notYetAvailable.contains(lower) {
                throw GenerateError("attention \"\(name)\" is not available in this build yet; use auto, vanilla, sliced or sliced:N")
            }
            throw GenerateError("unknown attention \"\(name)\"; use auto, vanilla, sliced or sliced:N")
        }
    }
}

/// A `diffuse generate` error: printed as `error: <message>` on one line, exit code 1.
struct GenerateError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

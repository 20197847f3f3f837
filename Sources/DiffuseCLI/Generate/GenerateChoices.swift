import DiffuseModels
import DiffuseNN
import DiffusePipeline

/// The named choices of `diffuse generate`, checked before anything is loaded. Each error is one line.
enum GenerateChoices {
    /// `--scheduler` / `--sampler`: one of `SchedulerChoice`'s names or A1111's.
    static func scheduler(_ name: String?) throws -> SchedulerChoice? {
        guard let name else { return nil }
        guard let choice = SchedulerChoice(name: name) else {
            throw GenerateError("unknown scheduler \"\(name)\"; use one of: \(SchedulerChoice.allCases.map(\.rawValue).joined(separator: ", ")) (or A1111's names: \((SchedulerChoice.a1111Samplers.map(\.name) + ["DPM++ 2M Karras"]).map { "\"\($0)\"" }.joined(separator: ", ")))")
        }
        return choice
    }

    /// `--timestep-spacing linspace|leading|trailing`.
    static func timestepSpacing(_ name: String?) throws -> String? {
        guard let name else { return nil }
        let spacings = ["linspace", "leading", "trailing"]
        guard spacings.contains(name.lowercased()) else {
            throw GenerateError("unknown timestep spacing \"\(name)\"; use one of: \(spacings.joined(separator: ", "))")
        }
        return name.lowercased()
    }

    /// `--prompt-syntax plain|a1111`; with a1111 the prompts are parsed here, so that a bad weight is
    /// reported before the model loads.
    static func promptSyntax(_ name: String, prompts: [String]) throws -> PromptSyntax {
        guard let syntax = PromptSyntax(rawValue: name.lowercased()) else {
            throw GenerateError("unknown prompt syntax \"\(name)\"; use one of: \(PromptSyntax.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if syntax == .a1111 {
            for prompt in prompts {
                do { _ = try A1111PromptParser.parse(prompt) } catch { throw GenerateError("\(error)") }
            }
        }
        return syntax
    }

    /// `--precision f32|f16|bf16`.
    static func precision(_ name: String) throws -> Precision {
        guard let precision = Precision(rawValue: name.lowercased()) else {
            throw GenerateError("unknown precision \"\(name)\"; use one of: f32, f16, bf16")
        }
        return precision
    }

    /// `--attention`: `AttentionChoice` (auto = SDPA with the default kernel priority, vanilla, sliced,
    /// or SDPA forced to flash / memory-efficient / math).
    static func attention(_ name: String) throws -> AttentionChoice {
        guard let choice = AttentionChoice(userName: name) else {
            throw GenerateError("unknown attention \"\(name)\"; use one of: \(AttentionChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }
}

/// A `diffuse generate` error: printed as `error: <message>` on one line, exit code 1.
struct GenerateError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
